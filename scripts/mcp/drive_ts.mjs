#!/usr/bin/env node
// Headless driver: run an official MCP TypeScript SDK client's connect + OAuth discovery/registration
// against SERVER_URL and stop where a human would be needed (opening the authorization URL).
//
//   node drive_ts.mjs SERVER_URL [--pkg sdk|client] [--no-cimd] [--negotiation legacy|auto|2026-07-28] [--timeout MS]
//
//   --pkg sdk     @modelcontextprotocol/sdk     (1.x, the package the brief names; 2025-era only)   [default]
//   --pkg client  @modelcontextprotocol/client  (2.x split package; speaks 2026-07-28 when asked)
//   --negotiation (client pkg only) ClientOptions.versionNegotiation.mode; the SDK default is 'legacy'.
//                 Default here: 'auto' (server/discover probe, fall back to initialize).
//
// Prints ONE JSON line: {sdk, version, server_url, connects_to_authorization_step, failed_step, reason,
//   steps:[...], authorization_url, client_id, registration, as_issuer, resource_param, scope_param, era, ...}
// Run from /work/research/mcp (resolves packages from ./node/node_modules). Loopback URLs only.
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const nodeDir = process.env.MCP_NODE_DIR || path.join(here, 'node');
const req = createRequire(path.join(nodeDir, 'package.json'));

const CIMD_URL = 'https://agentready.example/oauth/client-metadata.json';
const REDIRECT = 'http://127.0.0.1:33418/callback';

function parseArgs(argv) {
  const a = { url: undefined, pkg: 'sdk', cimd: true, negotiation: 'auto', timeout: 10000 };
  for (let i = 0; i < argv.length; i++) {
    const v = argv[i];
    if (v === '--pkg') a.pkg = argv[++i];
    else if (v === '--no-cimd') a.cimd = false;
    else if (v === '--negotiation') a.negotiation = argv[++i];
    else if (v === '--timeout') a.timeout = Number(argv[++i]);
    else a.url = v;
  }
  return a;
}

async function loadSdk(pkg) {
  const imp = (spec) => import(pathToFileURL(req.resolve(spec)).href);
  if (pkg === 'sdk') {
    const fs = await import('node:fs/promises');
    const version = JSON.parse(await fs.readFile(path.join(nodeDir, 'node_modules/@modelcontextprotocol/sdk/package.json'), 'utf8')).version;
    const { Client } = await imp('@modelcontextprotocol/sdk/client/index.js');
    const { StreamableHTTPClientTransport } = await imp('@modelcontextprotocol/sdk/client/streamableHttp.js');
    return { name: 'ts:@modelcontextprotocol/sdk', version, Client, StreamableHTTPClientTransport };
  }
  if (pkg === 'client') {
    const pj = path.join(nodeDir, 'node_modules/@modelcontextprotocol/client/package.json');
    const version = JSON.parse(await (await import('node:fs/promises')).readFile(pj, 'utf8')).version;
    const m = await imp('@modelcontextprotocol/client');
    return { name: 'ts:@modelcontextprotocol/client', version, Client: m.Client, StreamableHTTPClientTransport: m.StreamableHTTPClientTransport };
  }
  throw new Error(`unknown --pkg ${pkg}`);
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

async function main() {
  const args = parseArgs(process.argv.slice(2));
  if (!args.url || !LOOPBACK.has(new URL(args.url).hostname)) {
    console.error('usage: node drive_ts.mjs http://127.0.0.1:PORT/mcp [--pkg sdk|client] (loopback only)');
    process.exit(2);
  }
  const sdk = await loadSdk(args.pkg);
  const steps = [];
  const out = {
    sdk: sdk.name, version: sdk.version, server_url: args.url,
    connects_to_authorization_step: false, failed_step: null, reason: null, steps,
    authorization_url: null, client_id: null, registration: null, as_issuer: null,
    resource_param: null, scope_param: null, era: null, offered_cimd_url: args.cimd ? CIMD_URL : null,
  };
  if (args.pkg === 'client') out.negotiation = args.negotiation;

  // Recording, loopback-only fetch; handed to the transport, which also passes it to auth() as fetchFn.
  const recFetch = async (input, init) => {
    const url = new URL(typeof input === 'string' ? input : input.href ?? input.url);
    const method = init?.method ?? 'GET';
    const h = new Headers(init?.headers ?? {});
    let line = `${method} ${url.href}`;
    if (h.get('mcp-protocol-version') || h.get('mcp-method')) line += ` [MCP-Protocol-Version=${h.get('mcp-protocol-version')} Mcp-Method=${h.get('mcp-method')}]`;
    if (!LOOPBACK.has(url.hostname)) { steps.push(`${line} -> BLOCKED (non-loopback)`); throw new TypeError(`blocked non-loopback ${url.href}`); }
    try {
      const res = await fetch(input, init);
      steps.push(`${line} -> ${res.status}`);
      return res;
    } catch (e) { steps.push(`${line} -> ${e.name}`); throw e; }
  };

  const state = { clientInformation: undefined, tokens: undefined, codeVerifier: undefined, discovery: undefined, authUrl: undefined };
  const provider = {
    get redirectUrl() { return REDIRECT; },
    get clientMetadata() {
      return { client_name: 'agentready-driver', redirect_uris: [REDIRECT], grant_types: ['authorization_code', 'refresh_token'],
               response_types: ['code'], token_endpoint_auth_method: 'none' };
    },
    clientInformation() { return state.clientInformation; },
    saveClientInformation(ci) { state.clientInformation = ci; },
    tokens() { return state.tokens; },
    saveTokens(t) { state.tokens = t; },
    redirectToAuthorization(u) { state.authUrl = String(u); },
    saveCodeVerifier(v) { state.codeVerifier = v; },
    codeVerifier() { return state.codeVerifier; },
    saveDiscoveryState(s) { state.discovery = s; },
    discoveryState() { return state.discovery; },
  };
  if (args.cimd) provider.clientMetadataUrl = CIMD_URL;

  const clientOpts = {};
  if (args.pkg === 'client') {
    const n = args.negotiation;
    clientOpts.versionNegotiation = { mode: /^\d{4}-\d{2}-\d{2}$/.test(n) ? { pin: n } : n };
  }
  const client = new sdk.Client({ name: 'agentready-driver', version: '0.1.0' }, clientOpts);
  const transport = new sdk.StreamableHTTPClientTransport(new URL(args.url), { authProvider: provider, fetch: recFetch });
  let error;
  const timer = setTimeout(() => { error = error ?? new Error('driver timeout'); finish(); }, args.timeout);
  try {
    await client.connect(transport);
    out.era = (client.getNegotiatedProtocolVersion?.() ?? transport.protocolVersion ?? null);
    const tools = await client.listTools();
    out.tools = tools.tools.map((t) => t.name);
  } catch (e) { error = e; }
  finish();

  function finish() {
    clearTimeout(timer);
    const d = state.discovery;
    if (d?.authorizationServerMetadata) out.as_issuer = d.authorizationServerMetadata.issuer;
    if (d?.resourceMetadata) { out.prm_resource = d.resourceMetadata.resource; out.prm_authorization_servers = d.resourceMetadata.authorization_servers; }
    if (d?.authorizationServerUrl) out.authorization_server_url = d.authorizationServerUrl;
    if (state.clientInformation) {
      out.client_id = state.clientInformation.client_id;
      out.registration = out.client_id === CIMD_URL ? 'cimd' : 'dcr';
    }
    if (state.authUrl) {
      const u = new URL(state.authUrl);
      out.authorization_url = state.authUrl;
      out.resource_param = u.searchParams.get('resource');
      out.scope_param = u.searchParams.get('scope');
      out.connects_to_authorization_step = true;
    } else if (!error && out.tools) {
      out.connects_to_authorization_step = true;
    } else {
      out.reason = error ? `${error.name}: ${error.message}` : 'no authorization URL and no session';
      const got401 = steps.some((s) => s.endsWith(' -> 401'));
      if (!got401) out.failed_step = 'connect';
      else if (/Protected resource .* does not match/.test(out.reason)) out.failed_step = 'prm(resource-mismatch)';
      else if (!d?.authorizationServerMetadata && /Protected resource|protected resource/.test(out.reason)) out.failed_step = 'prm';
      else if (!d?.authorizationServerMetadata) out.failed_step = /[Ii]ssuer/.test(out.reason) ? 'as_metadata(issuer)' : 'as_metadata';
      else if (!state.clientInformation) out.failed_step = 'registration';
      else out.failed_step = 'authorization_url';
    }
    console.log(JSON.stringify(out));
    process.exit(0);
  }
}

main().catch((e) => { console.log(JSON.stringify({ sdk: 'ts', connects_to_authorization_step: false, failed_step: 'driver', reason: String(e?.stack ?? e) })); process.exit(1); });
