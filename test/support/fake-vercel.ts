export * from "../../src/dev/fake-vercel.js";
