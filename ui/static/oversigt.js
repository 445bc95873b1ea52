// Trappetrin – Oversigt's two small browser helpers (a JavaScript-only Streamlit component).
//
// 1. A click on a department's name in the red/yellow list (a link with data-afd) opens the
//    department in the same session, as a click on its point on the map does: the id goes to
//    Python as the trigger value "open". A middle click or "open in new tab" follows the link's
//    href (the Afdeling page with the same view) as any link does.
// 2. The map's tooltip is kept inside the map: deck.gl puts it at the pointer's bottom-right, so
//    near the right or bottom edge it is moved to the pointer's other side.

const SHARED = (globalThis.__trappetrinOversigt ??= { trigger: null, listening: false, observer: null });

function onClick(event) {
  if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  const link = event.target.closest("a[data-afd]");
  if (!link || !SHARED.trigger) return;
  event.preventDefault();
  SHARED.trigger("open", link.dataset.afd);
}

const TRANSLATE = /translate\(\s*(-?[\d.]+)px\s*,\s*(-?[\d.]+)px\s*\)/;

function keepInside(tip) {
  if (tip.style.display === "none") return;
  const map = tip.closest("[data-testid='stDeckGlJsonChart']") || tip.parentElement;
  const match = TRANSLATE.exec(tip.style.transform || "");
  if (!map || !match) return;
  const x = Number(match[1]), y = Number(match[2]);
  if (tip.dataset.ttX === match[1] && tip.dataset.ttY === match[2]) return; // our own position
  const box = map.getBoundingClientRect();
  const parent = (tip.offsetParent || tip.parentElement).getBoundingClientRect();
  const w = tip.offsetWidth, h = tip.offsetHeight;
  // Pointer position in the map's coordinates.
  const px = x + parent.left - box.left, py = y + parent.top - box.top;
  let nx = px + w + 8 > box.width ? px - w - 12 : px;
  let ny = py + h + 8 > box.height ? py - h - 12 : py;
  nx = Math.max(4, Math.min(nx, box.width - w - 4));
  ny = Math.max(4, Math.min(ny, box.height - h - 4));
  const fx = nx - parent.left + box.left, fy = ny - parent.top + box.top;
  if (Math.abs(fx - x) < 0.5 && Math.abs(fy - y) < 0.5) return;
  tip.dataset.ttX = String(fx);
  tip.dataset.ttY = String(fy);
  tip.style.transform = `translate(${fx}px, ${fy}px)`;
}

function watchTooltips() {
  if (SHARED.observer) return;
  SHARED.observer = new MutationObserver((records) => {
    for (const r of records) {
      const el = r.target;
      if (el instanceof HTMLElement && el.classList.contains("deck-tooltip")) keepInside(el);
    }
  });
  SHARED.observer.observe(document.body, { subtree: true, attributes: true, attributeFilter: ["style"] });
}

export default function (component) {
  SHARED.trigger = component.setTriggerValue;
  if (!SHARED.listening) {
    document.addEventListener("click", onClick, true);
    SHARED.listening = true;
  }
  watchTooltips();
}
