/**
 * The conformance suite, once per backend this OS has and for DefaultSelector
 * (kqueue: `kqueue_test.ts`).
 *
 * @module
 */
import { DefaultSelector, EpollSelector, OS, PollSelector, SelectSelector } from "../mod.ts";
import { selectorSuite } from "./_selector_suite.ts";
import { test } from "./_test.ts";

if (OS === "linux") {
  selectorSuite("EpollSelector", () => new EpollSelector(), { scalable: true, hasFileno: true });
} else {
  test("EpollSelector conformance", { skip: `epoll is Linux-only (this is ${OS})` }, () => {});
}
selectorSuite("PollSelector", () => new PollSelector(), { scalable: true, hasFileno: false });
selectorSuite("SelectSelector", () => new SelectSelector(), { scalable: false, hasFileno: false });
{
  const probe = new DefaultSelector();
  const backend = probe.backend;
  probe.close();
  selectorSuite(`DefaultSelector(${backend})`, () => new DefaultSelector(), {
    scalable: backend !== "select",
    hasFileno: backend === "epoll" || backend === "kqueue",
  });
}

// The same suite through selectAsync(): same expectations, waiting off the JS thread.
if (OS === "linux") {
  selectorSuite("EpollSelector", () => new EpollSelector(), { scalable: true, hasFileno: true, async: true });
}
selectorSuite("PollSelector", () => new PollSelector(), { scalable: true, hasFileno: false, async: true });
selectorSuite("SelectSelector", () => new SelectSelector(), {
  scalable: false,
  hasFileno: false,
  async: true,
});
