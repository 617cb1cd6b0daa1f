import { defineConfig } from "@hey-api/openapi-ts";

// One typed client per service, from the OpenAPI files `scripts/export_openapi.py` writes
// (`make client` runs both). The generated folders are committed; src/client.stale.test.ts
// fails when they no longer match a fresh generation.
export const services = ["auth", "catalog", "processing"] as const;

export function clientConfig(input: string, output: string) {
  return {
    input,
    output: { path: output },
    plugins: [
      // Relative URLs only: the UI reaches every service through the gateway's /api/... routes.
      { name: "@hey-api/client-fetch" as const, baseUrl: false as const },
      "@hey-api/typescript" as const,
      "@hey-api/sdk" as const,
    ],
  };
}

export default defineConfig(
  services.map((service) => clientConfig(`./openapi/${service}.json`, `src/client/${service}`)),
);
