import { defineConfig } from 'vite';

// The app builds to dist/app (embedded by embed.go for `vfscope serve`).
// base './' keeps every URL relative, so the same files work from any
// static host and any sub-path.
export default defineConfig({
  base: './',
  build: {
    outDir: 'dist/app',
    emptyOutDir: true,
    target: 'es2022',
    chunkSizeWarningLimit: 2048,
    rollupOptions: {
      // @vfscope/web reads a file: URL's wasm with node:fs/promises, a
      // branch only Node takes: leave its import as written instead of
      // swapping in vite's browser stub, which warns on every build.
      external: ['node:fs/promises'],
    },
  },
});
