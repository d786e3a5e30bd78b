// Vitest transpiles TypeScript with esbuild, which drops decorator metadata: unplugin-swc
// compiles it with SWC instead, which emits design:paramtypes like tsc does.
import swc from 'unplugin-swc';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  plugins: [
    swc.vite({
      jsc: {
        parser: { syntax: 'typescript', decorators: true },
        transform: { legacyDecorator: true, decoratorMetadata: true },
        target: 'es2022',
      },
    }),
  ],
  test: {
    root: import.meta.dirname,
    include: ['**/*.test.ts'],
  },
});
