// Responses the fault plan holds back: the request "timed out" from the client's point of view.
// A held response waits until the client gives up (aborts), the hold limit passes (wall time),
// or the server stops; then the connection is dropped without an answer.

/** Requests held at once at most; beyond it, a timeout fault drops the connection at once. */
export const heldResponsesMax = 1_000;
export const holdMsMaxDefault = 60_000;

/** A response that resets the connection instead of answering (the client sees ECONNRESET). */
export function droppedConnection(): Response {
  return new Response(
    new ReadableStream({
      start(controller) {
        // An undefined reason drops the connection without a server-side log line.
        controller.error(undefined);
      },
    }),
  );
}

export class HeldResponses {
  private readonly releases = new Set<() => void>();
  private readonly holdMsMax: number;

  constructor(holdMsMax = holdMsMaxDefault) {
    this.holdMsMax = holdMsMax;
  }

  count(): number {
    return this.releases.size;
  }

  /** Holds until the client aborts, `holdMsMax` passes or releaseAll(); then drops. */
  hold(request: Request): Promise<Response> {
    if (this.releases.size >= heldResponsesMax) return Promise.resolve(droppedConnection());
    return new Promise((resolve) => {
      const release = () => {
        if (!this.releases.delete(release)) return;
        clearTimeout(timer);
        resolve(droppedConnection());
      };
      const timer = setTimeout(release, this.holdMsMax);
      this.releases.add(release);
      request.signal.addEventListener("abort", release, { once: true });
    });
  }

  releaseAll(): void {
    for (const release of [...this.releases]) release();
  }
}
