import { createCipheriv, createDecipheriv, createHmac, randomBytes } from "node:crypto";

/** Raised when a sealed secret cannot be opened: another key sealed it, or it was altered. */
export class SecretBoxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SecretBoxError";
  }
}

const VERSION = "v1";
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * Encrypts the secrets Switchyard keeps in its store (run-time sources' and destinations'
 * secrets) with AES-256-GCM. Each is sealed for one place (`context`, e.g. the tenant, kind and
 * slug of its item): a sealed value copied to another row does not open there.
 */
export class SecretBox {
  private readonly key: Buffer;

  constructor(key: Uint8Array) {
    if (key.length !== KEY_BYTES)
      throw new SecretBoxError(`a secret key is ${KEY_BYTES} bytes, not ${key.length}`);
    this.key = Buffer.from(key);
  }

  /** A key from its base64 (or base64url) text, as configured; throws SecretBoxError on a bad one. */
  static fromText(text: string): SecretBox {
    const key = Buffer.from(text, text.includes("-") || text.includes("_") ? "base64url" : "base64");
    if (key.length !== KEY_BYTES) {
      throw new SecretBoxError(
        `a secret key is ${KEY_BYTES} bytes of base64 (44 characters); this one decodes to ${key.length} bytes`,
      );
    }
    return new SecretBox(key);
  }

  /** A new random key, as text for a config or credentials file. */
  static generateText(): string {
    return randomBytes(KEY_BYTES).toString("base64");
  }

  /** Encrypts `plain` for `context`: `v1.<base64url of iv, tag, ciphertext>`. */
  seal(plain: string, context: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv("aes-256-gcm", this.key, iv);
    cipher.setAAD(Buffer.from(context, "utf8"));
    const body = Buffer.concat([cipher.update(plain, "utf8"), cipher.final()]);
    return `${VERSION}.${Buffer.concat([iv, cipher.getAuthTag(), body]).toString("base64url")}`;
  }

  /** Decrypts what `seal` made for the same context; throws SecretBoxError otherwise. */
  open(sealed: string, context: string): string {
    const [version, data] = sealed.split(".", 2);
    if (version !== VERSION || data === undefined) throw new SecretBoxError("not a sealed secret");
    const bytes = Buffer.from(data, "base64url");
    if (bytes.length < IV_BYTES + TAG_BYTES) throw new SecretBoxError("not a sealed secret");
    const decipher = createDecipheriv("aes-256-gcm", this.key, bytes.subarray(0, IV_BYTES));
    decipher.setAAD(Buffer.from(context, "utf8"));
    decipher.setAuthTag(bytes.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    try {
      return Buffer.concat([
        decipher.update(bytes.subarray(IV_BYTES + TAG_BYTES)),
        decipher.final(),
      ]).toString("utf8");
    } catch {
      throw new SecretBoxError("a sealed secret did not open: it was sealed with another key, or altered");
    }
  }

  /** Names the key without revealing it, so nodes can tell whether they share one. */
  fingerprint(): string {
    return createHmac("sha256", this.key)
      .update("switchyard secret key fingerprint")
      .digest("base64url")
      .slice(0, 16);
  }
}
