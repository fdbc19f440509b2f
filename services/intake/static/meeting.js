/* The meeting-day page (/staff/hoi-nghi): autosave of the forms marked data-autosave.
   Each change is posted (same form, same CSRF token, same-origin) a moment after typing stops;
   the page works the same without this script through the forms' Save buttons. */
(function () {
  "use strict";
  var DELAY_MS = 1200;

  function setStatus(node, text, state) {
    if (!node) { return; }
    node.textContent = text;
    node.setAttribute("data-state", state);
  }

  function setRevision(revision) {
    if (revision === null || revision === undefined) { return; }
    document.querySelectorAll("input[name=revision]").forEach(function (input) {
      input.value = String(revision);
    });
  }

  function watch(form) {
    var status = form.querySelector("[data-save-status]");
    var timer = null;
    var saving = false;
    var again = false;

    function save() {
      if (saving) { again = true; return; }
      saving = true;
      setStatus(status, "Đang lưu…", "busy");
      var body = new URLSearchParams(new FormData(form));
      body.set("autosave", "1");
      fetch(form.action, {
        method: "POST",
        body: body,
        credentials: "same-origin",
        headers: { "Accept": "application/json", "X-Autosave": "1" }
      }).then(function (response) {
        return response.json().catch(function () {
          return { message_vi: "Trang đã hết hạn hoặc lỗi (mã " + response.status + "). Bấm nút Lưu để lưu." };
        }).then(function (data) {
          if (response.ok) {
            setRevision(data.revision);
            setStatus(status, "Đã tự động lưu lúc " + data.saved_at + ".", "saved");
          } else {
            setRevision(data.revision);
            setStatus(status, "Chưa lưu: " + (data.message_vi || "vui lòng bấm nút Lưu."), "error");
          }
        });
      }).catch(function () {
        setStatus(status, "Mất kết nối, chưa lưu. Nội dung vẫn còn trên màn hình; bấm nút Lưu khi có mạng.", "error");
      }).then(function () {
        saving = false;
        if (again) { again = false; save(); }
      });
    }

    function changed() {
      window.clearTimeout(timer);
      setStatus(status, "Có thay đổi chưa lưu…", "dirty");
      timer = window.setTimeout(save, DELAY_MS);
    }

    form.addEventListener("input", changed);
    form.addEventListener("change", changed);
    form.addEventListener("submit", function () { window.clearTimeout(timer); });
  }

  document.querySelectorAll("form[data-autosave]").forEach(watch);
}());
