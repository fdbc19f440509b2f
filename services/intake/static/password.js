// "Hiện mật khẩu": a checkbox under a form's password fields shows what was typed (handy on a
// phone); the fields are hidden again before the form is sent. Without this script the
// checkbox stays hidden and the form works the same.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  for (const toggle of document.querySelectorAll("[data-show-passwords]")) {
    const form = toggle.closest("form");
    const box = toggle.querySelector("input[type=checkbox]");
    if (!form || !box) continue;
    const fields = Array.from(form.querySelectorAll("input[type=password]"));
    const show = (visible) => {
      for (const field of fields) field.type = visible ? "text" : "password";
    };
    box.addEventListener("change", () => show(box.checked));
    form.addEventListener("submit", () => show(false));
    toggle.hidden = false;
  }
});
