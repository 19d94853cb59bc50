// OrderResult: what POST /orders answers and what a replay of the intent returns (DESIGN §3.2).
// Decimals are strings here: this is the wire shape, stored as is with the intent.

export type ResultStatus =
  | "NEW"
  | "ACCEPTED"
  | "PARTIALLY_FILLED"
  | "FILLED"
  | "CANCELED"
  | "REJECTED";

export interface ResultFill {
  fill_id: string;
  order_id: string;
  exchange_trade_id: string;
  price: string;
  qty: string;
  fee: string;
  fee_asset: string;
  liquidity: "MAKER" | "TAKER";
  slippage_bps: number | null;
  ts: number;
}

export interface ResultLeg {
  role: "TP" | "SL" | "ENTRY";
  order_id: string;
  client_order_id: string;
  exchange_order_id?: string;
  type: string;
  status: string;
  price?: string;
  stop_price?: string;
  guardian?: boolean;
}

export interface ResultExec {
  policy: string;
  reason?: string;
  maker_timeout?: boolean;
  slices_total?: number;
  slices_done?: number;
  fell_back_to_taker?: boolean;
}

export interface OrderResult {
  result: "OK" | "FAIL";
  status: ResultStatus;
  intent_id: string;
  uuid?: string;
  order_id: string;
  client_order_id: string;
  exchange_order_id?: string;
  order_ids: string[];
  market?: string;
  symbol?: string;
  side?: string;
  qty?: string;
  avg_price?: string;
  filled_avg?: string;
  filled_qty: string;
  fills: ResultFill[];
  slippage_bps?: number;
  legs: ResultLeg[];
  exec?: ResultExec;
  code?: string;
  message?: string;
  field?: string;
  rule?: string;
}
