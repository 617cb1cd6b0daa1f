import { afterEach, describe, expect, it } from "vitest";
import { SeenIds } from "./seen";

afterEach(() => localStorage.clear());

describe("SeenIds", () => {
  it("shows each notification once in this browser, whichever tab saw it first", () => {
    const tabA = new SeenIds(localStorage);
    const tabB = new SeenIds(localStorage); // opened before A showed anything
    expect(tabA.add("7")).toBe(true);
    expect(tabA.add("7")).toBe(false);
    expect(tabB.add("7")).toBe(false);
    const newTab = new SeenIds(localStorage);
    expect(newTab.add("7")).toBe(false);
    expect(newTab.add("9")).toBe(true);
    expect(newTab.add("10")).toBe(true);
    expect(newTab.last()).toBe("10");
    for (const tab of [tabA, tabB, newTab]) tab.close();
  });

  it("lets id-less messages through", () => {
    expect(new SeenIds(null).add(null)).toBe(true);
  });
});
