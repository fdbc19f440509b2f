/* The follow-up board (/staff/theo-doi): choosing an option that needs the note (it carries
   data-needs-reason, with the words of its label and hint: "Không giải quyết" asks the reason,
   keeping the status asks the progress) shows the hint and makes the note required on the same
   form. Without this script the server asks for the missing note next to the field. */
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
      if (label) { label.textContent = needed ? option.getAttribute("data-note-label") || optional : optional; }
      if (hint) {
        hint.textContent = needed ? option.getAttribute("data-note-hint") || "" : "";
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
