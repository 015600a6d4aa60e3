// Stand-ins for the Workers-only exports @cloudflare/sandbox imports. The
// HTTP client classes never call them; the Durable Object classes that
// extend them are never constructed under Node.
export class Container {}
export class ContainerProxy {}
export function getContainer() {
  throw new Error('getContainer needs the Workers runtime');
}
export function switchPort() {
  throw new Error('switchPort needs the Workers runtime');
}
export class AwsClient {}
export class RpcSession {}
export class RpcTarget {}
export const tracing = undefined;
