// @vitest-environment node
// Fails when the committed client in src/client/ is not what `npm run client` generates from
// the committed OpenAPI files (openapi/*.json, written by scripts/export_openapi.py). Fix:
// `make client` and commit. (`scripts/export_openapi.py --check` compares openapi/*.json with
// the services themselves.)
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { createClient } from "@hey-api/openapi-ts";
import { afterAll, describe, expect, it } from "vitest";
import { clientConfig, services } from "../openapi-ts.config";

const root = join(import.meta.dirname, "..");
const scratch = mkdtempSync(join(tmpdir(), "quest-client-"));

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function listFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? listFiles(path) : [path];
  });
}

function snapshot(dir: string): Record<string, string> {
  return Object.fromEntries(listFiles(dir).map((file) => [relative(dir, file), readFileSync(file, "utf8")]));
}

describe("generated API client", () => {
  it.each(services)("src/client/%s matches a fresh generation", async (service) => {
    const out = join(scratch, service);
    await createClient({
      ...clientConfig(join(root, "openapi", `${service}.json`), out),
      logs: { level: "silent" },
    });
    const fresh = snapshot(out);
    const committed = snapshot(join(root, "src", "client", service));
    expect(Object.keys(committed).sort()).toEqual(Object.keys(fresh).sort());
    for (const [file, text] of Object.entries(fresh)) {
      expect(committed[file], `src/client/${service}/${file} is stale: run make client`).toBe(text);
    }
  }, 60_000);
});
