import { addHook } from 'pirates';

/**
 * The provider classes the library loads are compiled without their inline source maps
 * (docs/design.md, "Synthesis speed").
 *
 * Every file of the generated provider packages (`@cdktf/provider-aws`, `-kubernetes`, `-helm`) ends
 * with its source map inlined as one base64 comment: 5.1 of the 7.1 MB the library's 58 provider
 * files weigh. Node compiles each file as read and V8 keeps the whole text for the life of the
 * process: loading them took ~135 ms of CPU (~80 without the maps) and ~10 MiB more heap, and the
 * retained text pushed V8 to double the young generation (the example platform's peak RSS: 114 MiB
 * with the maps, 97 without; Node 20, 2026-12-07). While the library's entry point loads (from its
 * first import to its last), a require hook (`pirates`, the hook Babel and Jest use) hands Node each
 * provider file without that last comment. Nothing else changes: Node loads and caches the module as
 * usual, so an app that requires the same file gets the same module and the same classes
 * (`instanceof` works), and the code that runs is the published code, less its last line.
 *
 * Not done when source maps are on (`node --enable-source-maps`: the maps are what that flag reads),
 * when `CDKTF_AI_PLATFORM_PROVIDER_SOURCE_MAPS=keep` is set, or for a file the app loaded before the
 * library (already compiled). `test/package/provider-sources.test.ts` runs the built entry point.
 */

/** Set to `keep` to load the provider classes with their inline source maps. */
export const PROVIDER_SOURCE_MAPS_ENV = 'CDKTF_AI_PLATFORM_PROVIDER_SOURCE_MAPS';

/** A file of a generated cdktf provider package (`node_modules/@cdktf/provider-<name>/lib/…`). */
const PROVIDER_FILE = /[\\/]node_modules[\\/]@cdktf[\\/]provider-[^\\/]+[\\/]lib[\\/].+\.js$/;
const INLINE_MAP = '\n//# sourceMappingURL=data:';

/**
 * The module text without a trailing inline source map comment (the last line); any other text is
 * returned as it is.
 */
export function withoutInlineSourceMap(code: string): string {
  const at = code.lastIndexOf(INLINE_MAP);
  if (at < 0) return code;
  const end = code.indexOf('\n', at + 1);
  if (end >= 0 && code.slice(end).trim() !== '') return code;
  // Concatenating (not slicing alone) makes V8 copy the text: a slice would keep the whole file alive.
  return code.slice(0, at) + '\n';
}

function enabled(): boolean {
  return process.env[PROVIDER_SOURCE_MAPS_ENV] !== 'keep' && (process as { sourceMapsEnabled?: boolean }).sourceMapsEnabled !== true;
}

let revert: (() => void) | undefined = enabled()
  ? addHook(withoutInlineSourceMap, { exts: ['.js'], ignoreNodeModules: false, matcher: (file) => PROVIDER_FILE.test(file) })
  : undefined;

/** Removes the require hook; the library's entry point calls it after its last import. */
export function endProviderLoading(): void {
  revert?.();
  revert = undefined;
}
