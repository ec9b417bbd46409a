// The main menu as disclosures (the WAI-ARIA "disclosure navigation" pattern): on a wide screen
// each section's button opens its list of links; on a phone one "Menu" button opens the whole
// menu, with every section's links listed under its heading. Escape closes what is open and
// gives focus back to its button; a click or focus outside closes an open section. Without
// JavaScript the class "enhanced" is never set and the CSS shows every link.
document.addEventListener("DOMContentLoaded", () => {
  const nav = document.querySelector("[data-menu]");
  if (!nav) return;
  nav.classList.add("enhanced");
  const toggle = nav.querySelector(".menu-toggle");
  const headings = [...nav.querySelectorAll(".menu-heading")];

  const setSection = (button, open) => {
    button.setAttribute("aria-expanded", String(open));
    button.parentElement.classList.toggle("open", open);
  };
  const closeSections = (except) => headings.forEach((b) => b !== except && setSection(b, false));

  headings.forEach((button) => {
    button.addEventListener("click", () => {
      const open = button.getAttribute("aria-expanded") !== "true";
      closeSections(button);
      setSection(button, open);
    });
  });
  toggle.addEventListener("click", () => {
    const open = toggle.getAttribute("aria-expanded") !== "true";
    toggle.setAttribute("aria-expanded", String(open));
    nav.classList.toggle("menu-open", open);
  });
  nav.addEventListener("keydown", (event) => {
    if (event.key !== "Escape") return;
    const section = event.target.closest(".menu-section.open");
    if (section) {
      const button = section.querySelector(".menu-heading");
      setSection(button, false);
      button.focus();
    } else if (nav.classList.contains("menu-open")) {
      toggle.click();
      toggle.focus();
    }
  });
  document.addEventListener("click", (event) => {
    if (!nav.contains(event.target)) closeSections(null);
  });
  nav.addEventListener("focusout", (event) => {
    if (event.relatedTarget && !nav.contains(event.relatedTarget)) closeSections(null);
  });
});
