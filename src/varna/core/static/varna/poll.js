// A part of a page marked data-poll="<seconds>" (with an id) is fetched again from the page's
// own address every few seconds and its content replaced, while the fresh copy still asks to be
// polled: the progress of a background import. The element stays, so an aria-live region on it
// announces the short changes; when the work has ended the page is loaded once more as a whole
// (its outcome may be long: read as a page, not announced). Without JavaScript the page has a
// link to reload it.
document.addEventListener("DOMContentLoaded", () => {
  const region = document.querySelector("[data-poll][id]");
  if (!region) return;
  const delay = Math.max(1, Number(region.dataset.poll) || 2) * 1000;
  const update = async () => {
    let fresh = null;
    try {
      const response = await fetch(window.location.href, {
        credentials: "same-origin",
        cache: "no-store",
        headers: { "X-Requested-With": "fetch" },
      });
      if (response.ok) {
        const page = new DOMParser().parseFromString(await response.text(), "text/html");
        fresh = page.getElementById(region.id);
      }
    } catch (error) {
      fresh = null; // offline for a moment: try again later
    }
    if (fresh && !fresh.hasAttribute("data-poll")) {
      window.location.reload();
      return;
    }
    if (fresh) {
      region.replaceChildren(...Array.from(fresh.childNodes, (node) => document.importNode(node, true)));
    }
    window.setTimeout(update, delay);
  };
  window.setTimeout(update, delay);
});
