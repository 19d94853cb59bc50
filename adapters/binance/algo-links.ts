// Links a triggered futures algo order to the regular order it placed. That order has its own
// orderId (ALGO_UPDATE `ai`, GET algoOrder `actualOrderId`) and may carry a client id of its own,
// while the router knows only the clientAlgoId: events and answers about it are labelled with the
// clientAlgoId once the link is known. Its ORDER_TRADE_UPDATE events can arrive before the
// ALGO_UPDATE that names it; those are kept (bounded) and handed out again, labelled, when the
// link arrives. Everything here is bounded; the oldest entries are forgotten first.

import type { ConditionalOrder, ExchangeEvent } from "../../ports/exchange-gateway.ts";

/** Triggered orders linked to their algo order. */
export const algoLinksMax = 2_000;
/** Client ids known to be algo orders (placed, queried, or seen in ALGO_UPDATE). */
export const algoIdsKnownMax = 2_000;
/** Order events kept while their order is not linked to anything yet. */
export const unlinkedEventsMax = 500;

export type OrderUpdate = Extract<ExchangeEvent, { kind: "ORDER_UPDATE" }>;

interface Labelled {
  readonly market: string;
  readonly symbol: string;
  readonly exchangeOrderId: string;
  readonly clientOrderId: string;
}

function remember<K, V>(map: Map<K, V>, key: K, value: V, max: number): void {
  map.delete(key);
  map.set(key, value);
  if (map.size > max) {
    const oldest = map.keys().next();
    if (!oldest.done) map.delete(oldest.value);
  }
}

export class AlgoLinks {
  /** `symbol:orderId` of a triggered order → the clientAlgoId of the algo order that placed it. */
  private readonly links = new Map<string, string>();
  /** `symbol:clientAlgoId` → the orderId it triggered (null while it has not). */
  private readonly algos = new Map<string, string | null>();
  private unlinked: OrderUpdate[] = [];

  /** `replay` receives events kept before their link, labelled, once it is learned. */
  constructor(private readonly replay: (event: OrderUpdate) => void = () => {}) {}

  /** Learns from an algo order as the venue reports it (event or answer). */
  learn(order: ConditionalOrder): void {
    const algoKey = `${order.symbol}:${order.clientAlgoId}`;
    const orderId = order.triggeredOrderId;
    if (orderId === null) {
      if (!this.algos.has(algoKey)) remember(this.algos, algoKey, null, algoIdsKnownMax);
      return;
    }
    remember(this.algos, algoKey, orderId, algoIdsKnownMax);
    const linkKey = `${order.symbol}:${orderId}`;
    if (this.links.get(linkKey) === order.clientAlgoId) return;
    remember(this.links, linkKey, order.clientAlgoId, algoLinksMax);
    const held = this.unlinked.filter((event) => this.orderKey(event.order) === linkKey);
    if (held.length === 0) return;
    this.unlinked = this.unlinked.filter((event) => this.orderKey(event.order) !== linkKey);
    for (const event of held) {
      // Labelled alike already: it was delivered where it belongs.
      if (event.order.clientOrderId === order.clientAlgoId) continue;
      this.replay({ ...event, order: { ...event.order, clientOrderId: order.clientAlgoId } });
    }
  }

  /** True when `clientId` is an algo order's client id on `symbol`. */
  isAlgo(symbol: string, clientId: string): boolean {
    return this.algos.has(`${symbol}:${clientId}`);
  }

  /** The orderId an algo order triggered, when known. */
  triggeredOrderId(symbol: string, clientAlgoId: string): string | null {
    return this.algos.get(`${symbol}:${clientAlgoId}`) ?? null;
  }

  /** A futures order labelled with its algo order's client id when it is a triggered one. */
  label<T extends Labelled>(order: T): T {
    if (order.market !== "FUT") return order;
    const clientAlgoId = this.links.get(this.orderKey(order));
    if (clientAlgoId === undefined || clientAlgoId === order.clientOrderId) return order;
    return { ...order, clientOrderId: clientAlgoId };
  }

  /**
   * An order event about to be delivered, labelled. One of an order not linked yet, whose client
   * id is not known as ours (`known`), is kept in case an algo order turns out to have placed it.
   */
  deliver(event: OrderUpdate, known: boolean): OrderUpdate {
    const order = this.label(event.order);
    if (order !== event.order) return { ...event, order };
    const unknown = !known && !this.isAlgo(order.symbol, order.clientOrderId);
    if (order.market === "FUT" && unknown) {
      this.unlinked.push(event);
      if (this.unlinked.length > unlinkedEventsMax) this.unlinked.shift();
    }
    return event;
  }

  private orderKey(order: Labelled): string {
    return `${order.symbol}:${order.exchangeOrderId}`;
  }
}
