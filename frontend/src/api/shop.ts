import * as sdk from "../client/catalog";
import { call } from "./http";
import type { Offer, OfferInput, Page, Redemption, RedemptionAdmin } from "./types";

/** The shop's offers (public); the admin page asks for inactive ones too. */
export const listOffers = ({ active }: { active?: boolean } = {}) =>
  call<Page<Offer>>((o) => sdk.readOffers({ ...o, query: { active, limit: 1000 } }), { auth: false });

/**
 * Buy an offer. The key names this purchase: the same key again (a double click, a retry after
 * a lost answer) gets the same redemption, debited once. A 202 comes back as status "pending".
 */
export const redeemOffer = ({ offer_id, key }: { offer_id: string; key: string }) =>
  call<Redemption>((o) => sdk.redeemOffer({ ...o, path: { offer_id }, headers: { "idempotency-key": key } }));

export const getMyRedemptions = ({ limit, offset }: { limit: number; offset: number }) =>
  call<Page<Redemption>>((o) => sdk.readMyRedemptions({ ...o, query: { limit, offset } }));

export const listRedemptions = ({ limit, offset }: { limit: number; offset: number }) =>
  call<Page<RedemptionAdmin>>((o) => sdk.readRedemptions({ ...o, query: { limit, offset } }));

export const createOffer = ({ offer }: { offer: OfferInput }) =>
  call<Offer>((o) => sdk.createOffer({ ...o, body: offer }));

export const updateOffer = ({ offer_id, changes }: { offer_id: string; changes: Partial<OfferInput> }) =>
  call<Offer>((o) => sdk.updateOffer({ ...o, path: { offer_id }, body: changes }));

export const deleteOffer = ({ offer_id }: { offer_id: string }) =>
  call<unknown>((o) => sdk.deleteOffer({ ...o, path: { offer_id } }));
