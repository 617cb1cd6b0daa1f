import { describe, expect, it } from "vitest";
import { SeenIds } from "./seen";

describe("SeenIds", () => {
  it("shows each notification once, across page loads of the tab", () => {
    const first = new SeenIds(sessionStorage);
    expect(first.add("a")).toBe(true);
    expect(first.add("a")).toBe(false);
    const afterReload = new SeenIds(sessionStorage);
    expect(afterReload.add("a")).toBe(false);
    expect(afterReload.add("b")).toBe(true);
    expect(afterReload.last()).toBe("b");
  });

  it("lets id-less messages through", () => {
    expect(new SeenIds(null).add(null)).toBe(true);
  });
});
