import type { Item } from "../api/types";
import { ITEM_LABEL } from "../lib/format";

/**
 * Drawn icons for the items (the currencies, XP and badges): they look the same everywhere, also
 * where no colour emoji font is installed (the emoji stay in texts and toasts, where words carry
 * the meaning).
 */
export function ItemIcon({ item, size = 24, title }: { item: Item | string; size?: number; title?: string }) {
  const label = title ?? ITEM_LABEL[item as Item] ?? item;
  // An empty title marks the icon as decoration next to a text that already says it.
  const a11y = label ? { role: "img", "aria-label": label } : { "aria-hidden": true };
  if (item === "xp") {
    // A violet star: experience, the colour of the level bar.
    return (
      <svg width={size} height={size} viewBox="0 0 32 32" {...a11y} className="item-icon">
        <path
          d="M16 2.5l3.9 8.6 9.4 1-7 6.3 2 9.2L16 22.9l-8.3 4.7 2-9.2-7-6.3 9.4-1z"
          fill="#be4bdb"
          stroke="#862e9c"
          strokeWidth="1.5"
          strokeLinejoin="round"
        />
      </svg>
    );
  }
  if (item === "badge") {
    // A medal on a ribbon.
    return (
      <svg width={size} height={size} viewBox="0 0 32 32" {...a11y} className="item-icon">
        <path d="M9 2h6l3 10h-6zM23 2h-6l-3 10h6z" fill="#e64980" />
        <circle cx="16" cy="20" r="9" fill="#fab005" stroke="#e67700" strokeWidth="1.5" />
        <path d="M16 15l1.6 3.3 3.6.4-2.7 2.4.8 3.5L16 22.8l-3.3 1.8.8-3.5-2.7-2.4 3.6-.4z" fill="#fff3bf" />
      </svg>
    );
  }
  if (item === "gold") {
    return (
      <svg width={size} height={size} viewBox="0 0 32 32" {...a11y} className="item-icon">
        <circle cx="16" cy="16" r="14" fill="#f59f00" />
        <circle cx="16" cy="16" r="10.5" fill="#fcc419" stroke="#e67700" strokeWidth="1.5" />
        <path d="M16 9.5v13M12.5 12.5h5a2 2 0 0 1 0 4h-3a2 2 0 0 0 0 4h5" stroke="#e67700" strokeWidth="2" fill="none" strokeLinecap="round" />
      </svg>
    );
  }
  return (
    <svg width={size} height={size} viewBox="0 0 32 32" {...a11y} className="item-icon">
      <path d="M16 29 2 12l5-7h18l5 7z" fill="#4dabf7" />
      <path d="M2 12h28L16 29z" fill="#1c7ed6" />
      <path d="M7 5l4 7 5-7 5 7 4-7" fill="none" stroke="#a5d8ff" strokeWidth="1.5" strokeLinejoin="round" />
      <path d="M11 12l5 17 5-17" fill="none" stroke="#74c0fc" strokeWidth="1.2" />
    </svg>
  );
}
