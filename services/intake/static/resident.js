/* The residents' pages: a live character counter under each text box marked data-limit.
   Counts as the server does (line breaks as one character, NFC, code points), so what the
   counter calls "over the limit" is what the server refuses. Nothing is cut: a longer text
   stays in the box, the counter says by how much it is over, the server refuses it by name.
   The page works the same without this script (the limit is printed next to the box). */
(function () {
  "use strict";

  function length(text) {
    var normal = text.replace(/\r\n/g, "\n");
    if (normal.normalize) { normal = normal.normalize("NFC"); }
    return Array.from(normal.trim()).length;
  }

  function attach(box) {
    var limit = parseInt(box.getAttribute("data-limit"), 10);
    var counter = document.getElementById("c-" + box.id.replace(/^f-/, ""));
    if (!limit || !counter) { return; }
    var count = counter.querySelector(".count");
    var over = counter.querySelector(".over-text");

    function update() {
      var n = length(box.value);
      count.textContent = String(n);
      var excess = n - limit;
      counter.classList.toggle("over", excess > 0);
      over.textContent = excess > 0 ? " – vượt quá " + excess + " ký tự, vui lòng rút gọn" : "";
    }

    box.addEventListener("input", update);
    update();
  }

  /* A form whose encoded body would pass the server's request size limit would be answered with
     a bare refusal and the page lost; it is stopped here instead, the text kept in the box. */
  function guard(form) {
    var max = parseInt(form.getAttribute("data-max-bytes"), 10);
    if (!max || !window.URLSearchParams || !window.FormData) { return; }
    form.addEventListener("submit", function (event) {
      var size = new URLSearchParams(new FormData(form)).toString().length;
      if (size <= max) { return; }
      event.preventDefault();
      var box = form.querySelector("textarea[data-limit]");
      var counter = box && document.getElementById("c-" + box.id.replace(/^f-/, ""));
      if (counter) {
        counter.classList.add("over");
        counter.querySelector(".over-text").textContent =
          " – nội dung quá dài nên chưa gửi được, vui lòng rút gọn";
      }
      if (box) { box.focus(); }
    });
  }

  function start() {
    document.querySelectorAll("textarea[data-limit]").forEach(attach);
    document.querySelectorAll("form[data-max-bytes]").forEach(guard);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
