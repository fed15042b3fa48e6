/**
 * Just the parts of net-snmp 3.x that opsbot uses (the package ships no types).
 * Kept in the SNMP collector's folder: nothing outside the collector and the demo's simulated fleet
 * should touch net-snmp directly.
 */
declare module "net-snmp" {
  import type { Socket } from "node:dgram";
  import type { EventEmitter } from "node:events";

  namespace snmp {
    interface Varbind {
      oid: string;
      type: number;
      /** Buffer for OctetString/Opaque/Counter64 (raw BER content), number for integers, string for OID. */
      value: unknown;
    }

    const ObjectType: {
      Boolean: 1;
      Integer: 2;
      OctetString: 4;
      Null: 5;
      OID: 6;
      IpAddress: 64;
      Counter: 65;
      Counter32: 65;
      Gauge: 66;
      Gauge32: 66;
      TimeTicks: 67;
      Opaque: 68;
      Counter64: 70;
      NoSuchObject: 128;
      NoSuchInstance: 129;
      EndOfMibView: 130;
    };
    const ErrorStatus: { TooBig: 1; NoSuchName: 2; GeneralError: 5; NoAccess: 6 } & Record<number, string>;
    const SecurityLevel: { noAuthNoPriv: 1; authNoPriv: 2; authPriv: 3 };
    const AuthProtocols: { none: 1; md5: 2; sha: 3; sha224: 4; sha256: 5; sha384: 6; sha512: 7 };
    const PrivProtocols: { none: 1; des: 2; aes: 4; aes256b: 6; aes256r: 8 };
    const Version1: 0;
    const Version2c: 1;
    const Version3: 3;
    const MibProviderType: { Scalar: 1; Table: 2 };
    const MaxAccess: {
      "not-accessible": 0;
      "accessible-for-notify": 1;
      "read-only": 2;
      "read-write": 3;
      "read-create": 4;
    };

    class RequestTimedOutError extends Error {}
    class RequestFailedError extends Error {
      status: number;
    }
    class ResponseInvalidError extends Error {
      code: number;
    }

    function isVarbindError(varbind: Varbind): boolean;

    interface SessionOptions {
      port?: number;
      retries?: number;
      timeout?: number;
      backoff?: number;
      transport?: "udp4" | "udp6";
      version?: number;
      idBitsSize?: 16 | 32;
      context?: string;
      /** Stands in for node:dgram: `createSocket(transport)` returns the session's socket. */
      dgramModule?: { createSocket(type: "udp4" | "udp6"): unknown };
    }

    interface User {
      name: string;
      level: number;
      authProtocol?: number;
      authKey?: string;
      privProtocol?: number;
      privKey?: string;
    }

    type ResponseCallback<T> = (error: Error | null, result: T) => void;

    interface Session extends EventEmitter {
      /** The session's UDP socket (net-snmp internals; opsbot re-wires its message handler). */
      dgram: Socket;
      onMsg(buffer: Buffer): void;
      get(oids: string[], callback: ResponseCallback<Varbind[]>): Session;
      getNext(oids: string[], callback: ResponseCallback<Varbind[]>): Session;
      getBulk(
        oids: string[],
        nonRepeaters: number,
        maxRepetitions: number,
        callback: ResponseCallback<Array<Varbind | Varbind[]>>,
      ): Session;
      set(varbinds: Varbind[], callback: ResponseCallback<Varbind[]>): Session;
      close(): Session;
    }

    function createSession(target: string, community: string, options?: SessionOptions): Session;
    function createV3Session(target: string, user: User, options?: SessionOptions): Session;

    interface MibRequest {
      oid: string;
      operation: number;
      instanceNode: { value: unknown };
      done(error?: { errorStatus: number }): void;
    }

    interface TableColumn {
      number: number;
      name: string;
      type: number;
      maxAccess: number;
    }

    interface ProviderDefinition {
      name: string;
      type: number;
      oid: string;
      maxAccess: number;
      scalarType?: number;
      tableColumns?: TableColumn[];
      tableIndex?: Array<{ columnName: string; foreign?: string }>;
      handler?: (request: MibRequest) => void;
    }

    interface Mib {
      registerProvider(definition: ProviderDefinition): void;
      setScalarValue(name: string, value: unknown): void;
      getScalarValue(name: string): unknown;
      addTableRow(name: string, row: unknown[]): void;
      getTableSingleCell(name: string, column: number, rowIndex: unknown[]): unknown;
      setTableSingleCell(name: string, column: number, rowIndex: unknown[], value: unknown): void;
    }

    interface Authorizer {
      addCommunity(community: string): void;
      addUser(user: User): void;
    }

    interface AgentOptions {
      port: number;
      address?: string | null;
      transport?: "udp4" | "udp6";
      disableAuthorization?: boolean;
      engineID?: string;
    }

    interface Agent {
      listener: { sockets: Record<string, Socket> };
      getMib(): Mib;
      getAuthorizer(): Authorizer;
      close(callback?: () => void): void;
    }

    function createAgent(
      options: AgentOptions,
      callback: (error: Error | null, data: unknown) => void,
    ): Agent;
  }

  export = snmp;
}
