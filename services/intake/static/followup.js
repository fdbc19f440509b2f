/* The follow-up board (/staff/theo-doi): choosing a status that needs a reason (its option
   carries data-needs-reason) shows the hint and makes the note required on the same form.
   Without this script the server asks for the missing reason next to the field. */
(function () {
  "use strict";

  function watch(form) {
    var select = form.querySelector("select[name=status]");
    var note = form.querySelector("textarea[name=note]");
    var hint = form.querySelector("[data-reason-hint]");
    var label = form.querySelector("[data-reason-label]");
    var optional = label ? label.textContent : "";
    if (!select || !note) { return; }

    function update() {
      var option = select.options[select.selectedIndex];
      var needed = !!(option && option.hasAttribute("data-needs-reason"));
      note.required = needed;
      note.setAttribute("aria-required", needed ? "true" : "false");
      if (label) { label.textContent = needed ? "(bắt buộc: lý do không giải quyết)" : optional; }
      if (hint) {
        hint.hidden = !needed;
        if (needed) { note.setAttribute("aria-describedby", hint.id); }
      }
    }

    select.addEventListener("change", function () {
      update();
      if (note.required && !note.value.trim()) { note.focus(); }
    });
    update();
  }

  document.querySelectorAll("form[data-needs-reason-form]").forEach(watch);
})();
