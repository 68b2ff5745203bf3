// Types of on-demand.cjs.
export function loadAjv(): typeof import('ajv');
export function loadYaml(): typeof import('yaml');
