// A short program against the TypeScript types openapi-typescript generates from the live schema
// (./schema.d.ts, written by tests/test_clients.py), used through openapi-fetch with default
// options; tsc --strict must accept it, then it runs against a server.
import createClient from "openapi-fetch";
import type { components, paths } from "./schema";

type EventPage = components["schemas"]["EventPage"];
type EventDetail = components["schemas"]["EventDetail"];
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

  // Revalidation, as docs/api.md says to write it: send the ETag back as If-None-Match. On a
  // 304 openapi-fetch gives no `data` and a falsy `error` (""), so the status is checked first
  // and the copy already held is kept.
  const etag = detail.response.headers.get("ETag");
  if (!etag) throw new Error("get_event sent no ETag");
  const again = await client.GET("/v1/events/{event_id}", {
    params: { path: { event_id: ids[0] } },
    headers: { "If-None-Match": etag },
  });
  let current: EventDetail;
  if (again.response.status === 304) {
    current = detail.data;
  } else if (again.data) {
    current = again.data;
  } else {
    throw new Error(`get_event: ${again.error?.detail}`);
  }
  const notModified = {
    status: again.response.status,
    data: again.data === undefined ? "none" : "some",
    error: JSON.stringify(again.error),
    kept: current.id,
  };

  // The same detail at its versioned URL (docs/api.md, "Versioned URLs"): `version` is a typed
  // query parameter, the answer names it in Content-Location and is cached immutable. A
  // version that is not served is a 410 problem naming the current one and where to start.
  const version = detail.response.headers.get("X-Dataset-Version");
  if (!version) throw new Error("get_event sent no X-Dataset-Version");
  const pinned = await client.GET("/v1/events/{event_id}", {
    params: { path: { event_id: ids[0] }, query: { version } },
  });
  if (!pinned.data) throw new Error(`get_event at ${version}: ${pinned.error?.detail}`);
  const gone = await client.GET("/v1/events", {
    params: { query: { limit: 2, version: "0000000000000000" } },
  });
  if (!gone.error) throw new Error("a version that is not served was answered");
  const goneProblem: Problem = gone.error;
  const versioned = {
    location: detail.response.headers.get("Content-Location") === `/v1/events/${ids[0]}?version=${version}`,
    cacheControl: pinned.response.headers.get("Cache-Control"),
    same: pinned.data.id === detail.data.id,
    gone: gone.response.status,
    current: goneProblem.current_version === version,
    firstPage: goneProblem.first_page,
  };

  // An export by its literal path: its 200 is CSV text, which openapi-fetch reads as text.
  const csv = await client.GET("/v1/events.csv", {
    params: { query: { country: ["cn"], sort: "-date" } },
    parseAs: "text",
  });
  if (csv.data === undefined) throw new Error(`export_events_csv: ${csv.response.status}`);
  const csvLines: string[] = csv.data.split("\r\n").filter((line) => line !== "");

  // The long form, one row per event and source passage, by its own literal path; an event's
  // id (a slug, never quoted) opens each of its rows.
  const long = await client.GET("/v1/events.long.csv", {
    params: { query: { country: ["CN"] } },
    parseAs: "text",
  });
  if (long.data === undefined) throw new Error(`export_events_long_csv: ${long.response.status}`);
  const longLines: string[] = long.data.split("\r\n").filter((line) => line !== "");
  const longEvents = new Set(longLines.slice(1).map((line) => line.split(",")[0]));

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
    notModified,
    versioned,
    csv: { header: csvLines[0], rows: csvLines.length - 1 },
    long: { header: longLines[0], rows: longLines.length - 1, events: longEvents.size },
    problem: { status: problem.status, location: where, errors: problem.errors?.length ?? 0 },
  });
}
