/**
 * The engine's layer order, checked by `npm run lint` (dependency-cruiser). A module may import its own
 * layer and any layer BELOW it, never one above or beside it — so a fix to a lower layer can't be broken
 * by a change above, and every layer can be tested without those above it. Picture: docs/architecture.md.
 *
 * Bottom to top (same line = siblings, which don't import each other):
 */
const LAYERS = [
  ["root"], //                   shared/*.ts: errors, tool identity, atomic writer
  ["findings", "cloud"], //      the Finding model, catalogue, policy; cloud profiles
  ["config"], //                 azure-auth-gate.yml schema and loader
  ["static", "azure"], //        manifest facts + AG1xx rules; Azure facts + AG2xx rules (+ IaC rendering)
  ["fix", "probe", "report", "rotation"], // manifest fixes; live probe (AG3xx); writers; secret rotation
  ["gate"], //                   runGate: the one surface that chooses and runs the layers
  ["sweep"], //                  the scheduled sweep (many gate runs)
  ["cli"], //                    the command line
];

const pathOf = (layer) => (layer === "root" ? "^shared/[^/]+\\.ts$" : `^shared/${layer}/`);

const layerRules = LAYERS.flatMap((row, rank) =>
  row.flatMap((layer) => {
    const notAllowed = LAYERS.flatMap((r, i) => (i >= rank ? r : [])).filter((l) => l !== layer);
    const allowed = LAYERS.flatMap((r, i) => (i < rank ? r : []));
    if (notAllowed.length === 0) return []; // the top layer may import every layer below it
    return {
      name: `layer-${layer}`,
      severity: "error",
      comment: `shared/${layer} may import only ${allowed.length > 0 ? allowed.join(", ") : "nothing else in shared/"} (and itself): see docs/architecture.md`,
      from: { path: pathOf(layer) },
      to: { path: notAllowed.map(pathOf) },
    };
  }),
);

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    ...layerRules,
    {
      name: "no-circular",
      severity: "error",
      comment:
        "a cycle makes two modules one: neither can be loaded, tested or moved alone (type-only imports are erased, so they don't count)",
      from: {},
      to: { circular: true, viaOnly: { dependencyTypesNot: ["type-only"] } },
    },
    {
      name: "engine-not-shells",
      severity: "error",
      comment: "shared/ is the engine: it never imports the Action, the Function, tests, scripts or benchmarks",
      from: { path: "^shared/" },
      to: { path: "^(action|functions|test|scripts|bench)/" },
    },
    {
      name: "shells-apart",
      severity: "error",
      comment: "the Action and the Function share code only through shared/",
      from: { path: "^(action|functions)/" },
      to: { path: "^(action|functions)/", pathNot: "^$1/" },
    },
  ],
  options: {
    tsConfig: { fileName: "tsconfig.json" },
    tsPreCompilationDeps: true,
    doNotFollow: { path: "node_modules" },
    exclude: { path: "^(node_modules|dist)/" },
  },
};
