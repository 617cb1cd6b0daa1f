import type { Item, Offer, Redemption } from "../api/types";
import { formatAmount, formatDateTime, ITEM_ICON } from "./format";

/** "7 left", "Unlimited", "Sold out". */
export function stockWords(stock: number | null | undefined): string {
  if (stock === null || stock === undefined) return "Unlimited";
  return stock > 0 ? `${stock.toLocaleString("en-US")} left` : "Sold out";
}

/** "you have 7 💎" beside a price. */
export function balanceWords(balance: number, item: Item): string {
  return `you have ${balance.toLocaleString("en-US")} ${ITEM_ICON[item]}`;
}

/** How many of this offer the player holds against its per-player limit (pending or done). */
export function heldBy(redemptions: readonly Redemption[], offerId: string): number {
  return redemptions.filter((r) => r.offer.offer_id === offerId && r.status !== "released").length;
}

/**
 * Why the player cannot buy the offer right now, in words for the disabled button's label, or
 * null. The same checks the catalog makes (it has the last word: a 409 tells the real reason).
 */
export function whyNot(
  offer: Offer,
  { balance, held, now }: { balance: number | undefined; held: number; now: Date },
): string | null {
  if (!offer.is_active) return "Not on sale";
  if (offer.starts_at && now < new Date(offer.starts_at)) return `On sale from ${formatDateTime(offer.starts_at)}`;
  if (offer.ends_at && now >= new Date(offer.ends_at)) return "No longer on sale";
  if (offer.stock !== null && offer.stock !== undefined && offer.stock <= 0) return "Sold out";
  if (offer.per_player_limit !== null && offer.per_player_limit !== undefined && held >= offer.per_player_limit) {
    return offer.per_player_limit === 1 ? "You have it already" : `Limit of ${offer.per_player_limit} reached`;
  }
  if (balance !== undefined && balance < offer.price_qty) {
    return `You need ${formatAmount(offer.price_qty - balance, offer.price_item)} more`;
  }
  return null;
}

/** A fresh key for one purchase (kept for the retries of that purchase, never reused for another). */
export function newPurchaseKey(): string {
  return crypto.randomUUID();
}
