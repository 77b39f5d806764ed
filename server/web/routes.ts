import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { LotParams } from '../core/availability/schemas.ts';
import type { AvailabilityReader, Lot } from '../core/availability/reader.ts';
import type { FreshnessConfig, Language, WebConfig } from '../core/config/schema.ts';
import type { HttpConfig } from '../core/http/config.ts';
import type { Clock } from '../core/clock.ts';
import { assetUrl, loadAssets } from './assets.ts';
import { pageLanguage, STRINGS } from '../core/web/i18n.ts';
import { esc } from '../core/web/html.ts';
import { lotLinks, lotName, lotSection, page, type LotView } from './render.ts';
import { overviewBody } from './overview.ts';
import { lotsMap, tileOrigin } from './map.ts';
import { usuallySection } from './usually-chart.ts';
import type { UsualFree } from '../core/storage/usual-free.ts';
import { sendAsset } from '../../kit/static-assets.ts';

export interface WebRoutesOptions {
  availability: AvailabilityReader;
  /** The parts of the server config the public pages read. */
  config: { http: Pick<HttpConfig, 'embed_origins'>; web: WebConfig; freshness: FreshnessConfig };
  clock: Clock;
  /** The stored hourly history, for the lot page's "usually" chart; without it the chart is left out. */
  usually?: UsualFree;
}

const LangQuery = Type.Object(
  { lang: Type.Optional(Type.Enum(['cs', 'en'] as const, { description: 'Page language; remembered in a cookie.' })) },
  { additionalProperties: false },
);

/**
 * The public page (`/`, `/lot/:lot_id`) and the embeddable widget (`/embed/:lot_id`): plain HTML
 * rendered with the current state, then kept live by /assets/app.js (ui/public/app.ts) over SSE.
 * Only counts and states are ever shown; no route here serves a camera image.
 */
export const webRoutes: FastifyPluginAsyncTypebox<WebRoutesOptions> = async (
  app,
  { availability, config, clock, usually },
) => {
  const assets = loadAssets();
  const urls = {
    gov: assetUrl(assets, 'gov.css'),
    css: assetUrl(assets, 'style.css'),
    js: assetUrl(assets, 'app.js'),
  };
  // With a configured tile server the overview's map loads its tiles from there, and only there.
  const tiles = config.web.map_tiles_url;
  const imgSrc = tiles === undefined ? "'self'" : `'self' ${tileOrigin(tiles)}`;
  const csp = (frameAncestors: string) =>
    `default-src 'self'; script-src 'self'; style-src 'self'; img-src ${imgSrc}; connect-src 'self'; ` +
    `base-uri 'none'; form-action 'self'; object-src 'none'; frame-ancestors ${frameAncestors}`;
  const embedAncestors = ["'self'", ...config.http.embed_origins].join(' ');

  const language = (req: Parameters<typeof pageLanguage>[0], reply: FastifyReply): Language =>
    pageLanguage(req, reply, config.web.default_language);

  /** One lot's view, read in one go before anything is rendered; `lots` when the caller has them. */
  const view = async (lotId: string, lots?: Lot[]): Promise<LotView | undefined> => {
    const [all, a, s] = await Promise.all([
      lots ?? availability.lots(),
      availability.lotAvailability(lotId),
      availability.lotSlots(lotId),
    ]);
    const lot = all.find((l) => l.lot_id === lotId);
    return lot === undefined || a === undefined || s === undefined ? undefined : { lot, availability: a, slots: s };
  };

  const send = (reply: FastifyReply, html: string, status: number, embed: boolean) =>
    reply
      .code(status)
      .type('text/html; charset=utf-8')
      .header('content-security-policy', csp(embed ? embedAncestors : "'none'"))
      .header('cache-control', 'no-cache')
      .header('vary', 'Accept-Language, Cookie')
      .send(html);

  const options = (lang: Language, path: string, embed: boolean) => ({
    lang,
    title: lang === 'en' ? config.web.title_en : config.web.title,
    path,
    now: clock.now(),
    staleAfterS: config.freshness.stale_after_s,
    assets: urls,
    embed,
  });

  const htmlSchema = (summary: string) => ({ tags: ['web'], summary, hide: true, querystring: LangQuery });

  app.get('/', { schema: htmlSchema('Public page: every lot') }, async (req, reply) => {
    const lang = language(req, reply);
    const all = await availability.lots();
    // A lot dropped from the catalog while this read is left out rather than rendered half.
    const lots = (await Promise.all(all.map((l) => view(l.lot_id, all)))).filter((v): v is LotView => v !== undefined);
    const o = { ...options(lang, '/', false), assets: { ...urls, overview: assetUrl(assets, 'overview.js') } };
    const map =
      tiles === undefined
        ? ''
        : lotsMap(lots, {
            lang,
            tiles,
            ...(config.web.map_attribution !== undefined ? { attribution: config.web.map_attribution } : {}),
          });
    return send(reply, page(lots, o, overviewBody(lots, o, map)), 200, false);
  });

  const lotPage =
    (embed: boolean) =>
    async (
      req: { params: { lot_id: string }; query: { lang?: Language }; headers: FastifyRequest['headers'] },
      reply: FastifyReply,
    ) => {
      const lang = language(req, reply);
      const v = await view(req.params.lot_id);
      const o = options(lang, `/${embed ? 'embed' : 'lot'}/${req.params.lot_id}`, embed);
      if (v === undefined) return send(reply, page([], o, `<h1>${esc(STRINGS[lang].notFound)}</h1>`), 404, embed);
      if (embed)
        return send(
          reply,
          page([v], o, lotSection(v, o, { heading: 'h1', map: false, extra: lotLinks(v, o, true) })),
          200,
          true,
        );
      const name = lotName(v.lot, lang);
      const usual =
        usually === undefined
          ? ''
          : usuallySection(await usually.grid(v.lot.lot_id), {
              total: v.availability.total,
              lotId: v.lot.lot_id,
              lotName: name,
              lang,
              windowWeeks: usually.weeks,
            });
      const body =
        lotSection(v, { ...o, title: name }, { heading: 'h1', map: true, extra: lotLinks(v, o, false) }) + usual;
      return send(reply, page([v], { ...o, title: `${name} – ${o.title}` }, body), 200, false);
    };
  app.get('/lot/:lot_id', { schema: { ...htmlSchema('Public page: one lot'), params: LotParams } }, lotPage(false));
  app.get(
    '/embed/:lot_id',
    { schema: { ...htmlSchema('Embeddable widget for an iframe'), params: LotParams } },
    lotPage(true),
  );

  // Browsers ask for it on every page; there is none, and no image is served publicly at all.
  app.get('/favicon.ico', { schema: { hide: true } }, async (_req, reply) =>
    reply.code(204).header('cache-control', 'public, max-age=86400').send(),
  );

  app.get(
    '/assets/:name',
    { schema: { hide: true, params: Type.Object({ name: Type.String({ pattern: '^[a-z.]{1,32}$' }) }) } },
    async (req, reply) => {
      const asset = assets.get(req.params.name);
      if (asset === undefined) return reply.callNotFound();
      return sendAsset(req, reply, asset, 'public, max-age=31536000, immutable');
    },
  );
};
