/**
 * The config's `helm` settings for rendering charts found in the manifest directories. The config may come
 * from the repository under check, so its values files must stay inside the config's own directory (a link
 * out of it is refused too): a checked-out repository never makes helm read the user's other files.
 */
import { realpath } from "node:fs/promises";
import { dirname, isAbsolute, relative, resolve } from "node:path";
import { loadConfigSettings } from "../config/load.js";
import type { GateConfig } from "../config/schema.js";
import { InputError } from "../errors.js";
import type { HelmSettings } from "../static/render.js";

export async function configHelm(configFile: string): Promise<HelmSettings> {
  // Settings only: helm talks to no cloud, so the config's cloud is neither resolved nor refused here.
  return resolveHelm(loadConfigSettings(configFile).helm, configFile);
}

/** A parsed config's `helm` → render settings, its values files resolved against (and kept inside) the config's directory. */
export async function resolveHelm(helm: GateConfig["helm"], file: string): Promise<HelmSettings> {
  if (!helm) return {};
  const base = await realpath(dirname(file)).catch(() => dirname(file));
  const values: string[] = [];
  for (const [i, v] of helm.values.entries()) {
    const path = resolve(dirname(file), v);
    const real = await realpath(path).catch(() => {
      throw new InputError(`values file ${v} does not exist`, { file, field: `helm.values[${i}]` });
    });
    const rel = relative(base, real);
    if (rel.startsWith("..") || isAbsolute(rel))
      throw new InputError(`values file ${v} leads outside the config's directory`, { file, field: `helm.values[${i}]` });
    values.push(path);
  }
  return {
    ...(helm.releaseName ? { releaseName: helm.releaseName } : {}),
    ...(helm.namespace ? { namespace: helm.namespace } : {}),
    ...(values.length ? { values } : {}),
  };
}
