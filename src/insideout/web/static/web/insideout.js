/* InsideOut: the little behaviour htmx does not cover. No framework, no build step. */
"use strict";

/* Disclosure buttons (the unit tree): a button with aria-controls and data-disclosure shows or
   hides the element it controls and says so in aria-expanded. htmx loads the content on the
   first click; delegation makes it work for buttons that htmx inserts later. */
document.addEventListener("click", (event) => {
  const toggle = event.target.closest("[data-disclosure]");
  if (!toggle) return;
  const panel = document.getElementById(toggle.getAttribute("aria-controls"));
  const open = toggle.getAttribute("aria-expanded") !== "true";
  toggle.setAttribute("aria-expanded", String(open));
  if (panel) panel.hidden = !open;
});
