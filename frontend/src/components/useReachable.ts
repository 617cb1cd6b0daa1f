import { useSyncExternalStore } from "react";
import { connectivity } from "../api/connectivity";

/** False while the server cannot be reached: actions wait (the outage banner says why). */
export function useReachable(): boolean {
  return useSyncExternalStore(connectivity.subscribe, connectivity.isReachable);
}

/** True while some service answers too slowly (the banner says "slow — retrying"). */
export function useSlow(): boolean {
  return useSyncExternalStore(connectivity.subscribe, connectivity.isSlow);
}
