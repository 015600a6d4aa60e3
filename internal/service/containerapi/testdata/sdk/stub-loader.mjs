// A module-resolution hook: the modules only a Cloudflare Worker has
// (cloudflare:workers, @cloudflare/containers, capnweb, aws4fetch) resolve
// to stub.mjs, which exports empty classes under the names the SDK imports.
const stubbed = new Set(['cloudflare:workers', '@cloudflare/containers', 'capnweb', 'aws4fetch']);

export async function resolve(specifier, context, nextResolve) {
  if (stubbed.has(specifier)) {
    return { url: new URL('./stub.mjs', import.meta.url).href, shortCircuit: true };
  }
  return nextResolve(specifier, context);
}
