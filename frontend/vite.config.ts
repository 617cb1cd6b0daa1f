/// <reference types="vitest/config" />
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// The dev server sits behind Traefik (gateway :8000 routes `/` here and `/api` to the
// services), so the browser talks to one origin and the refresh cookie stays first-party.
const gatewayUrl = process.env.GATEWAY_URL ?? "http://127.0.0.1:8000";
const hmrClientPort = process.env.VITE_HMR_CLIENT_PORT
  ? Number(process.env.VITE_HMR_CLIENT_PORT)
  : undefined;

export default defineConfig({
  plugins: [react()],
  server: {
    host: "127.0.0.1",
    port: 5173,
    strictPort: true,
    // Requests arrive through the gateway with its Host header (localhost:8000, or a
    // container name); Vite refuses unknown hosts by default to stop DNS rebinding.
    allowedHosts: ["localhost", ".localhost", "gateway", "traefik"],
    // The HMR websocket goes through the page's own origin (the gateway) unless told
    // otherwise; Traefik forwards the upgrade to Vite.
    hmr: hmrClientPort ? { clientPort: hmrClientPort } : undefined,
    // When Vite is opened directly on :5173, API calls still reach the services. Only the
    // three service prefixes: the gateway sends every other path (an unknown /api/... too,
    // before its own 404 existed) here, and proxying it back would loop forever.
    proxy: Object.fromEntries(
      ["/api/auth/", "/api/catalog/", "/api/processing/"].map((prefix) => [
        prefix,
        { target: gatewayUrl, changeOrigin: false },
      ]),
    ),
  },
  preview: { host: "127.0.0.1", port: 4173 },
  // Mantine and React make one ~200 kB (gzip) vendor chunk; admin screens are split off.
  build: { outDir: "dist", sourcemap: true, chunkSizeWarningLimit: 800 },
  test: {
    environment: "jsdom",
    setupFiles: ["./src/test/setup.ts"],
    css: false,
    include: ["src/**/*.test.{ts,tsx}"],
  },
});
