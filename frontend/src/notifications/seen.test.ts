import { afterEach, describe, expect, it } from "vitest";
import { KnownSteps, SeenIds } from "./seen";

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

describe("KnownSteps", () => {
  it("remembers the last check-in per player and quest", () => {
    const zoe = new KnownSteps(localStorage, "zoe");
    zoe.set("q1", { streak: 2, completed: 0 });
    expect(new KnownSteps(localStorage, "zoe").get("q1")).toEqual({ streak: 2, completed: 0 });
    expect(new KnownSteps(localStorage, "max").get("q1")).toBeUndefined();
  });
});
