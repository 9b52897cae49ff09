/**
 * The kill switch's routes, for members of the administrators' group:
 * - `POST /v1/admin/revocations {subject | username, reason, until?}`: refuse new vends for that
 *   subject and deny the sessions already issued to it (Tessera's managed inline policy on every
 *   target role); 201 with the revocation, the roles updated, the accounts that could not be, and
 *   the longest delay until every warm vend function refuses (the binding cache's TTL);
 * - `GET /v1/admin/revocations`: the pool's revocations (active, lifted or ended, until their
 *   policy entries have expired);
 * - `DELETE /v1/admin/revocations/{id}`: lift it (new vends allowed again; the sessions issued
 *   before it stay denied until they expire).
 * Every write is audited first (admin-audit.ts `attempt`); a listing is audited too (it names
 * people), and a caller outside the administrators' group is audited as refused on each route.
 */

import { randomUUID } from 'node:crypto';
import {
  createRevocationAdmin,
  parseRevocationRequest,
  type RevocationAdmin,
  type RevocationRequest,
} from '@tessera/broker';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { type AdminContext, subjectOfActor } from './admin-app.js';
import { poolIssuer, withHeaders } from './admin-request.js';
import { HttpInputError, invalidBody } from './errors.js';
import { type HttpHandler, httpStack, json } from './http.js';

const REVOCATION_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function revocationIdParam(event: APIGatewayProxyEventV2): string {
  const id = event.pathParameters?.['id'];
  if (id === undefined || !REVOCATION_ID.test(id)) {
    throw new HttpInputError('InvalidRequest', 'id must be a revocation id (a UUID)', 'id', {
      location: 'path',
    });
  }
  return id;
}

function revocationBody(raw: unknown): RevocationRequest {
  const parsed = parseRevocationRequest(raw);
  if (!parsed.ok) throw invalidBody(parsed.problems);
  return parsed.value;
}

function admin(ctx: AdminContext, newId?: () => string): RevocationAdmin {
  return createRevocationAdmin({
    store: ctx.deps.bindings,
    writer: ctx.deps.policyWriter,
    issuers: ctx.config.pools.map((p) => poolIssuer(p.userPoolId)),
    cacheSeconds: ctx.config.cache.bindingsSeconds,
    clock: ctx.deps.clock,
    ...(newId ? { newId } : {}),
  });
}

/** Who a revocation names, in the audit event's words (identities only, never the reason's text). */
function named(request: Pick<RevocationRequest, 'subject' | 'username' | 'until'>): string {
  const who = [
    request.username !== undefined ? `username ${request.username}` : undefined,
    request.subject !== undefined ? `sub ${request.subject}` : undefined,
  ].filter(Boolean);
  return `${who.join(', ')}${request.until ? ` until ${request.until}` : ''}`;
}

function listRevocations(ctx: AdminContext): HttpHandler {
  return httpStack(
    async (event: APIGatewayProxyEventV2) => {
      const actor = await ctx.administrator(event, 'revocation.list');
      const issuer = ctx.issuerParam(event, actor);
      const revocations = await admin(ctx).list(issuer);
      // Who read the kill switch's list, too: it names people.
      await ctx.audit.record(actor, {
        action: 'revocation.list',
        result: 'grant',
        reason: 'Granted',
        bindingId: undefined,
        roleArn: undefined,
        previousVersion: null,
        newVersion: null,
        detail: `${revocations.length} revocations listed`,
      });
      return json(200, {
        issuer,
        revocations,
        propagation: { maxDelaySeconds: ctx.config.cache.bindingsSeconds },
      });
    },
    ctx.stack('revocation.list', false),
  );
}

function addRevocation(ctx: AdminContext): HttpHandler {
  return httpStack(
    async (event: APIGatewayProxyEventV2) => {
      const actor = await ctx.administrator(event, 'revocation.add');
      const issuer = ctx.issuerParam(event, actor);
      const request = revocationBody(event.body as unknown);
      const id = randomUUID();
      const facts = {
        action: 'revocation.add' as const,
        bindingId: undefined,
        roleArn: undefined,
        previousVersion: null,
        newVersion: null,
        detail: `revocation ${id}: ${named(request)}`,
      };
      const written = await ctx.audit.attempt(actor, facts, () =>
        admin(ctx, () => id).add(issuer, request, subjectOfActor(actor.token)),
      );
      ctx.deps.onPoolChanged?.(issuer);
      ctx.logger.info('subject revoked', {
        revocationId: id,
        accountsNotUpdated: written.accountsNotUpdated,
      });
      return withHeaders(json(201, written), { Location: `/v1/admin/revocations/${id}` });
    },
    ctx.stack('revocation.add', true),
  );
}

function liftRevocation(ctx: AdminContext): HttpHandler {
  return httpStack(
    async (event: APIGatewayProxyEventV2) => {
      const actor = await ctx.administrator(event, 'revocation.lift');
      const id = revocationIdParam(event);
      const issuer = ctx.issuerParam(event, actor);
      const facts = {
        action: 'revocation.lift' as const,
        bindingId: undefined,
        roleArn: undefined,
        previousVersion: null,
        newVersion: null,
        detail: `revocation ${id} lifted`,
      };
      const written = await ctx.audit.attempt(actor, facts, () =>
        admin(ctx).lift(issuer, id, subjectOfActor(actor.token)),
      );
      ctx.deps.onPoolChanged?.(issuer);
      ctx.logger.info('revocation lifted', { revocationId: id });
      return json(200, written);
    },
    ctx.stack('revocation.lift', false),
  );
}

export function revocationHandlers(ctx: AdminContext) {
  return {
    listRevocations: listRevocations(ctx),
    addRevocation: addRevocation(ctx),
    liftRevocation: liftRevocation(ctx),
  };
}
