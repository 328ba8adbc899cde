// A short program against the TypeScript types openapi-typescript generates from the live schema
// (./schema.d.ts, written by tests/test_clients.py), used through openapi-fetch with default
// options; tsc --strict must accept it, then it runs against a server.
import createClient from "openapi-fetch";
import type { components, paths } from "./schema";

type EventPage = components["schemas"]["EventPage"];
type Problem = components["schemas"]["Problem"];

export async function run(baseUrl: string): Promise<string> {
  const client = createClient<paths>({ baseUrl });

  // Every event, page by page: the 200 is the page type, so `.items` needs no narrowing.
  const ids: string[] = [];
  let cursor: string | undefined;
  do {
    const { data, error } = await client.GET("/v1/events", {
      params: { query: { limit: 10, cursor, sort: "date" } },
    });
    if (error) throw new Error(`list_events: ${error.detail}`);
    const page: EventPage = data;
    ids.push(...page.items.map((event) => event.id));
    cursor = page.next_cursor ?? undefined;
  } while (cursor);

  const detail = await client.GET("/v1/events/{event_id}", {
    params: { path: { event_id: ids[0] } },
  });
  if (!detail.data) throw new Error(`get_event: ${detail.error.detail}`);
  const earliest: string = detail.data.earliest_date;

  const quotes = await client.GET("/v1/leaders/{leader_id}/quotes", {
    params: { path: { leader_id: "vladimir-putin" }, query: { limit: 3 } },
  });
  if (!quotes.data) throw new Error(`list_leader_quotes: ${quotes.error.detail}`);
  const speakers = quotes.data.items.map((quote) => quote.speaker.id);

  const series = await client.GET("/v1/trade/series", {
    params: { query: { country: "CN", partner: "RU", kind: "target" } },
  });
  if (!series.data) throw new Error(`get_trade_series: ${series.error.detail}`);
  const targets = series.data.points.filter((point) => point.kind === "target").length;

  const refused = await client.GET("/v1/events", {
    params: { query: { leader: ["vladimir-putn"] } },
  });
  if (!refused.error) throw new Error("a misspelt leader was accepted");
  const problem: Problem = refused.error;
  const where: "query" | "path" | "header" | undefined = problem.errors?.[0]?.location;

  return JSON.stringify({
    events: ids.length,
    earliest,
    speakers,
    targets,
    problem: { status: problem.status, location: where, errors: problem.errors?.length ?? 0 },
  });
}
