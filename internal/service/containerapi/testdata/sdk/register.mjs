// Loads the Workers-only imports of @cloudflare/sandbox as stubs, so that
// its HTTP client classes run under Node: node --import ./register.mjs.
import { register } from 'node:module';

register('./stub-loader.mjs', import.meta.url);
