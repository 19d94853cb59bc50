// GET /orders/:id — "what happened to intent X?": accepts an intent id, a router order id or a
// client order id and answers the intent's current OrderResult from the store.

import type { OrderResult } from "../../domain/order/index.ts";
import type { OrderStore } from "../../ports/order-store.ts";
import type { IntentLedger } from "../shared/intent-ledger.ts";

export class LookupOrder {
  constructor(
    private readonly store: OrderStore,
    private readonly ledger: IntentLedger,
  ) {}

  async execute(id: string): Promise<OrderResult | null> {
    const intentId = await this.intentIdOf(id);
    if (intentId === null) return null;
    const state = await this.ledger.load(intentId);
    return state === null ? null : this.ledger.preview(state, {}).result;
  }

  private async intentIdOf(id: string): Promise<string | null> {
    const intent = await this.store.getIntent(id);
    if (intent !== null) return intent.intentId;
    const order = (await this.store.getOrder(id)) ?? (await this.store.getOrderByClientId(id));
    return order?.intentId ?? null;
  }
}
