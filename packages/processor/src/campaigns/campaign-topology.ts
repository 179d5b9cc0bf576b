import {
  type AvroSerde,
  type CampaignReport,
  campaignKey,
  campaignReportSchema,
  createAvroSerde,
  type Dispatch,
  dispatchSchema,
  type Order,
  orderSchema,
  type Ping,
  pingSchema,
  type SchemaRegistry,
  Topics,
  valueSubject,
} from '@hoot/events';
import { jsonSerde, type TopicSerde, type Topology, TopologyBuilder, tumblingWindows } from '@hoot/streams';
import { attribute, type ClickRef, rememberClick } from './attribution.ts';
import { type CampaignFact, isSent, pingFacts, retractFact, sentFact } from './campaign-fact.ts';
import { type CampaignFigures, figuresAggregator } from './campaign-figures.ts';
import { validateOrder } from './order-validation.ts';
import { pingEventTime, pingTimes } from './ping-validation.ts';
import { toReport } from './report-output.ts';

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

export interface CampaignTopologyOptions {
  registry: SchemaRegistry;
  topics?: Partial<Record<'ping' | 'dispatch' | 'orders' | 'reporting', string>>;
  /** Orders count for the subscriber's last click this long before them. Default 72 h. */
  attributionWindowMs?: number;
  /** How late a ping may be, after its hour ends, and still count. Default 28 days (the push TTL). */
  graceMs?: number;
  /**
   * How far a ping's, dispatch's or order's time may be ahead of its Kafka timestamp; a later
   * time is a wrong clock and counts at the Kafka timestamp. Default 2 minutes, as the api's.
   */
  maxFutureSkewMs?: number;
}

function topicSerde<T>(serde: AvroSerde<T>, check?: (value: T) => void): TopicSerde<T> {
  return {
    serialize: (value) => serde.encode(value),
    deserialize: async (data) => {
      const value = await serde.decode(data);
      check?.(value);
      return value;
    },
  };
}

/**
 * Campaign reporting: per campaign and UTC hour, and in total, the notifications sent, the
 * distinct notifications delivered (impressions) and clicked, and the orders and revenue
 * attributed to the subscriber's last click. Absolute figures go to campaign-reporting keyed by
 * campaign.
 *
 * Every input becomes a CampaignFact keyed by campaign (through a repartition topic when it was
 * not keyed so: the seed's producers send no key). Facts are windowed by event time, made distinct
 * at the earliest time they happened, and summed per hour and in total. Clicks also feed a
 * per-subscriber table of recent clicks that orders, re-keyed by subscriber, are attributed with.
 */
export function campaignTopology(options: CampaignTopologyOptions): Topology {
  const topics = {
    ping: Topics.ping,
    dispatch: Topics.dispatch,
    orders: Topics.orders,
    reporting: Topics.campaignReporting,
    ...options.topics,
  };
  const attributionWindowMs = options.attributionWindowMs ?? 72 * HOUR_MS;
  const graceMs = options.graceMs ?? 28 * DAY_MS;
  const maxFutureSkewMs = options.maxFutureSkewMs ?? 120_000;
  const hours = tumblingWindows({ sizeMs: HOUR_MS, graceMs });
  const registry = options.registry;
  const pings = topicSerde(
    createAvroSerde<Ping>({ registry, subject: valueSubject(topics.ping), schema: pingSchema }),
    (p) => {
      pingTimes(p);
    },
  );
  const dispatches = topicSerde(
    createAvroSerde<Dispatch>({ registry, subject: valueSubject(topics.dispatch), schema: dispatchSchema }),
  );
  const orders = topicSerde(
    createAvroSerde<Order>({ registry, subject: valueSubject(topics.orders), schema: orderSchema }),
    validateOrder,
  );
  const reports = topicSerde(
    createAvroSerde<CampaignReport>({
      registry,
      subject: valueSubject(topics.reporting),
      schema: campaignReportSchema,
    }),
  );
  const facts = jsonSerde<CampaignFact>();

  const builder = new TopologyBuilder('campaign-reporting');
  const pingStream = builder.stream(topics.ping, { value: pings, timestamp: pingEventTime, maxFutureSkewMs });
  const sent = builder
    .stream(topics.dispatch, { value: dispatches, timestamp: (d, ts) => d.sent_at ?? ts, maxFutureSkewMs })
    .filter(isSent)
    .flatMap((d) => [sentFact(d)]);

  const subscriberOf = (merchant: string, subscriberId: number) => `${merchant}/${subscriberId}`;
  const clicks = pingStream
    .flatMap((p) => {
      const { clicked } = pingTimes(p);
      if (clicked === null) return [];
      const click: ClickRef = { campaign: campaignKey(p), at: clicked };
      return [{ key: subscriberOf(p.merchant, p.subscriber_id), value: click, timestamp: clicked }];
    })
    .rekey('clicks-by-subscriber', (_c, key) => key as string, { value: jsonSerde<ClickRef>() })
    .toTable('recent-clicks', {
      value: jsonSerde<ClickRef[]>(),
      ttlMs: attributionWindowMs + graceMs,
      // The click's time as the engine bounded it (a wrong clock counts at the Kafka timestamp).
      merge: (history, _t, click, clickTime) =>
        rememberClick(history, { ...click, at: clickTime }, attributionWindowMs + graceMs),
    });
  const attributed = builder
    .stream(topics.orders, { value: orders, timestamp: (o) => o.created_at, maxFutureSkewMs })
    .filter((o) => o.subscriber_id !== null)
    .rekey('orders-by-subscriber', (o) => subscriberOf(o.merchant, o.subscriber_id ?? -1), {
      value: jsonSerde<Order>(),
    })
    .distinct('order-ids', { by: (o) => o.order_id, horizonMs: graceMs + HOUR_MS })
    .lookup(
      clicks,
      (_o, key) => key,
      (o, history): CampaignFact | undefined => {
        const campaign = attribute(history, o.created_at, attributionWindowMs);
        return campaign === undefined
          ? undefined
          : {
              kind: 'order',
              campaign,
              id: `${o.merchant}/${o.order_id}`,
              delta: 1,
              revenueMinor: o.total_minor,
              currency: o.currency,
            };
      },
    );

  const counted = pingStream
    .flatMap((p) => pingFacts(p, pingTimes(p)))
    .merge(sent)
    .merge(attributed)
    .rekey('facts-by-campaign', (f) => f.campaign, { value: facts })
    .windowBy('hours', hours)
    .distinct('first-seen', {
      by: (f) => `${f.kind}/${f.id}`,
      horizonMs: hours.retentionMs,
      keep: 'earliest',
      retract: retractFact,
    });
  const figures = jsonSerde<CampaignFigures>();
  counted
    .aggregate('hourly', figuresAggregator, { value: figures })
    .mapValues((f, key, window) => toReport(key, window?.start ?? null, f))
    .to(topics.reporting, { value: reports });
  counted
    .aggregate('totals', figuresAggregator, { value: figures, perWindow: false })
    .mapValues((f, key) => toReport(key, null, f))
    .to(topics.reporting, { value: reports });
  return builder.build();
}
