// Libraries evaluated the first time they are used rather than at start-up (docs/decisions/0006):
// CommonJS, because a require() inside a function keeps the call synchronous, as validation and
// YAML parsing are. In the bundle they live in dist/vendor.cjs, which the main file does not hold
// (so a start compiles less), loaded by Node's own require when first needed; from src/ (tsx,
// tests) they are ordinary packages. A validate of JSON definitions never loads yaml; an empty
// folder never loads ajv.
let vendor;

function fromVendor() {
  // webpack turns this test into `true` in the bundle and drops the other branch, so the bundle
  // itself holds neither package; `__non_webpack_require__` is Node's require beside dist/index.js.
  if (typeof __webpack_require__ === 'function') {
    vendor ??= __non_webpack_require__('./vendor.cjs');
  } else {
    vendor ??= { ajv: require('ajv'), yaml: require('yaml') };
  }
  return vendor;
}

exports.loadAjv = () => fromVendor().ajv;
exports.loadYaml = () => fromVendor().yaml;
