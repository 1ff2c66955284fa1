/* Recognition: the little behaviour htmx does not cover. */
"use strict";

/* Enter in a search box that htmx fills (the people pickers) searches; it does not send the form. */
document.addEventListener("keydown", (event) => {
  if (event.key === "Enter" && event.target.matches("input[data-search]")) event.preventDefault();
});
