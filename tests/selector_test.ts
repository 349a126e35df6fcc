/**
 * The conformance suite, once per Linux backend and for DefaultSelector.
 *
 * @module
 */
import { DefaultSelector, EpollSelector, PollSelector, SelectSelector } from "../mod.ts";
import { selectorSuite } from "./_selector_suite.ts";

selectorSuite("EpollSelector", () => new EpollSelector(), { scalable: true, hasFileno: true });
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
