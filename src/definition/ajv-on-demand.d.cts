// Types of ajv-on-demand.cjs.
export function loadAjv(): typeof import('ajv');
