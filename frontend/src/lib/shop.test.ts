import { describe, expect, it } from "vitest";
import type { Offer, Redemption } from "../api/types";
import { balanceWords, heldBy, stockWords, whyNot } from "./shop";

const NOW = new Date("2030-06-01T12:00:00Z");

function offer(changes: Partial<Offer> = {}): Offer {
  return {
    offer_id: "o1",
    name: "frame",
    title: "Golden frame",
    description: "",
    price_item: "diamond",
    price_qty: 5,
    stock: 3,
    per_player_limit: null,
    starts_at: null,
    ends_at: null,
    is_active: true,
    created_at: "2030-01-01T00:00:00Z",
    updated_at: "2030-01-01T00:00:00Z",
    ...changes,
  };
}

function redemption(offerId: string, status: Redemption["status"]): Redemption {
  return {
    redemption_id: `r-${Math.random()}`,
    status,
    code: status === "done" ? "ABCD-EFGH-JKMN" : null,
    offer: { offer_id: offerId, name: "frame", title: "Golden frame" },
    price: { item: "diamond", qty: 5 },
    refusal: null,
    created_at: "2030-01-01T00:00:00Z",
    finished_at: null,
  };
}

describe("whyNot", () => {
  const enough = { balance: 7, held: 0, now: NOW };

  it("lets a player with enough balance buy an open offer with stock", () => {
    expect(whyNot(offer(), enough)).toBeNull();
    expect(whyNot(offer({ stock: null }), enough)).toBeNull();
  });

  it("says why, in words, when it cannot be bought", () => {
    expect(whyNot(offer({ is_active: false }), enough)).toBe("Not on sale");
    expect(whyNot(offer({ starts_at: "2030-07-01T00:00:00Z" }), enough)).toMatch(/^On sale from /);
    expect(whyNot(offer({ ends_at: "2030-06-01T12:00:00Z" }), enough)).toBe("No longer on sale");
    expect(whyNot(offer({ stock: 0 }), enough)).toBe("Sold out");
    expect(whyNot(offer({ per_player_limit: 1 }), { ...enough, held: 1 })).toBe("You have it already");
    expect(whyNot(offer({ per_player_limit: 2 }), { ...enough, held: 2 })).toBe("Limit of 2 reached");
    expect(whyNot(offer({ price_qty: 10 }), enough)).toBe("You need 3 💎 more");
  });

  it("does not refuse before the balance is known", () => {
    expect(whyNot(offer({ price_qty: 10 }), { ...enough, balance: undefined })).toBeNull();
  });
});

describe("words", () => {
  it("names the stock and the balance", () => {
    expect(stockWords(7)).toBe("7 left");
    expect(stockWords(0)).toBe("Sold out");
    expect(stockWords(null)).toBe("Unlimited");
    expect(balanceWords(7, "diamond")).toBe("you have 7 💎");
  });

  it("counts what the player holds of an offer, not what was released", () => {
    const mine = [redemption("o1", "done"), redemption("o1", "pending"), redemption("o1", "released"), redemption("o2", "done")];
    expect(heldBy(mine, "o1")).toBe(2);
  });
});
