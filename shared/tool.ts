/** The tool's name and version for report metadata (read from package.json, bundled by esbuild). */
import pkg from "../package.json" with { type: "json" };

export const TOOL: { name: string; version: string } = { name: pkg.name, version: pkg.version };
