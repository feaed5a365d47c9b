// Me3 dashboard: every few seconds, fetch the page's live parts, rendered by the host, and swap in those that
// changed, matched by id. Nothing else is loaded; the page works (without refreshing) with scripts off.
(() => {
  "use strict";
  const body = document.body;
  const source = body.dataset.live;
  const every = Math.max(0.5, Number(body.dataset.refreshSeconds) || 2) * 1000;
  const notice = document.getElementById("connection");
  let timer = 0;
  let busy = false;

  async function refresh() {
    if (busy) {
      return; // a slow answer: skip a beat rather than pile requests up
    }
    busy = true;
    try {
      const response = await fetch(source, { cache: "no-store", credentials: "same-origin", headers: { Accept: "text/html" } });
      if (!response.ok) {
        throw new Error(`the host answered ${response.status} ${response.statusText}`.trim());
      }
      const fresh = new DOMParser().parseFromString(await response.text(), "text/html");
      for (const part of Array.from(fresh.body.children)) {
        const current = part.id ? document.getElementById(part.id) : null;
        if (current && current.outerHTML !== part.outerHTML) {
          current.replaceWith(document.importNode(part, true));
        }
      }
      notice.hidden = true;
    } catch (error) {
      notice.textContent = `Not updating: ${error.message}. Trying again every ${every / 1000} s; the numbers below may be old.`;
      notice.hidden = false;
    } finally {
      busy = false;
    }
  }

  // Poll only while the page is visible; catch up at once when it shows again.
  function schedule() {
    clearInterval(timer);
    if (document.visibilityState === "visible") {
      timer = setInterval(refresh, every);
    }
  }

  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") {
      refresh();
    }
    schedule();
  });
  schedule();
})();
