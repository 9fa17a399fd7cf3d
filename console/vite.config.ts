import { defineConfig } from "vite";

// Two pages: the sign-in page (served to anyone) and the console (only with a session).
export default defineConfig({
  base: "/",
  build: {
    target: "es2020",
    assetsInlineLimit: 0, // no data: URLs for scripts; the CSP allows only 'self'
    chunkSizeWarningLimit: 1200,
    rollupOptions: { input: { index: "index.html", login: "login.html" } },
  },
});
