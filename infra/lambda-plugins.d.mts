import type { Plugin } from 'esbuild';

/** Import path -> the module bundled in its place (see lambda-plugins.mjs). */
export declare const REDIRECTS: Readonly<Record<string, string>>;
export declare const lambdaRedirects: Plugin;
declare const plugins: Plugin[];
export default plugins;
