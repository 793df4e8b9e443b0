// The ONNX messages simdnet reads and writes, declared once for protobufjs with the field numbers
// of onnx/onnx.proto (proto2: repeated scalars unpacked unless marked packed there). Fields left
// out are skipped when decoding. The interfaces type what protobufjs decodes.
import protobuf from 'protobufjs/light.js';

const field = (id: number, type: string, rule?: 'repeated', packed?: boolean) => ({
  id,
  type,
  ...(rule ? { rule } : {}),
  ...(packed ? { options: { packed: true } } : {}),
});

const root = protobuf.Root.fromJSON({
  nested: {
    onnx: {
      nested: {
        ModelProto: {
          edition: 'proto2',
          fields: {
            irVersion: field(1, 'int64'),
            opsetImport: field(8, 'OperatorSetIdProto', 'repeated'),
            producerName: field(2, 'string'),
            producerVersion: field(3, 'string'),
            domain: field(4, 'string'),
            modelVersion: field(5, 'int64'),
            docString: field(6, 'string'),
            graph: field(7, 'GraphProto'),
            metadataProps: field(14, 'StringStringEntryProto', 'repeated'),
          },
        },
        OperatorSetIdProto: { edition: 'proto2', fields: { domain: field(1, 'string'), version: field(2, 'int64') } },
        StringStringEntryProto: { edition: 'proto2', fields: { key: field(1, 'string'), value: field(2, 'string') } },
        GraphProto: {
          edition: 'proto2',
          fields: {
            node: field(1, 'NodeProto', 'repeated'),
            name: field(2, 'string'),
            initializer: field(5, 'TensorProto', 'repeated'),
            docString: field(10, 'string'),
            input: field(11, 'ValueInfoProto', 'repeated'),
            output: field(12, 'ValueInfoProto', 'repeated'),
            valueInfo: field(13, 'ValueInfoProto', 'repeated'),
          },
        },
        NodeProto: {
          edition: 'proto2',
          fields: {
            input: field(1, 'string', 'repeated'),
            output: field(2, 'string', 'repeated'),
            name: field(3, 'string'),
            opType: field(4, 'string'),
            domain: field(7, 'string'),
            attribute: field(5, 'AttributeProto', 'repeated'),
            docString: field(6, 'string'),
          },
        },
        AttributeProto: {
          edition: 'proto2',
          fields: {
            name: field(1, 'string'),
            type: field(20, 'int32'),
            f: field(2, 'float'),
            i: field(3, 'int64'),
            s: field(4, 'bytes'),
            t: field(5, 'TensorProto'),
            floats: field(7, 'float', 'repeated'),
            ints: field(8, 'int64', 'repeated'),
          },
        },
        TensorProto: {
          edition: 'proto2',
          fields: {
            dims: field(1, 'int64', 'repeated'),
            dataType: field(2, 'int32'),
            floatData: field(4, 'float', 'repeated', true),
            int32Data: field(5, 'int32', 'repeated', true),
            int64Data: field(7, 'int64', 'repeated', true),
            name: field(8, 'string'),
            docString: field(12, 'string'),
            rawData: field(9, 'bytes'),
            externalData: field(13, 'StringStringEntryProto', 'repeated'),
            dataLocation: field(14, 'int32'),
            doubleData: field(10, 'double', 'repeated', true),
          },
        },
        ValueInfoProto: {
          edition: 'proto2',
          fields: { name: field(1, 'string'), type: field(2, 'TypeProto'), docString: field(3, 'string') },
        },
        TypeProto: {
          edition: 'proto2',
          fields: { tensorType: field(1, 'TypeProtoTensor'), denotation: field(6, 'string') },
        },
        TypeProtoTensor: {
          edition: 'proto2',
          fields: { elemType: field(1, 'int32'), shape: field(2, 'TensorShapeProto') },
        },
        TensorShapeProto: { edition: 'proto2', fields: { dim: field(1, 'Dimension', 'repeated') } },
        Dimension: {
          edition: 'proto2',
          oneofs: { value: { oneof: ['dimValue', 'dimParam'] } },
          fields: { dimValue: field(1, 'int64'), dimParam: field(2, 'string'), denotation: field(3, 'string') },
        },
      },
    },
  },
});

/** onnx.ModelProto: encode(...).finish() writes a file, decode(bytes) reads one. */
export const ModelProto = root.lookupType('onnx.ModelProto');

/** An int64 as protobufjs gives it: a number, or a Long where long.js is loaded. */
export type Int64 = number | { low: number; high: number; unsigned: boolean };

/** The metadata_props key under which toONNX stores its hints (loss, bias, exact normaliser) as JSON. */
export const HINTS_KEY = 'simdnet';

/** TensorProto.DataType values simdnet meets. */
export const DataType = { FLOAT: 1, UINT8: 2, INT8: 3, INT32: 6, INT64: 7, DOUBLE: 11 } as const;
/** AttributeProto.AttributeType values simdnet writes or reads. */
export const AttributeType = { FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, FLOATS: 6, INTS: 7 } as const;

export interface Tensor {
  dims: Int64[];
  dataType: number;
  floatData: number[];
  int32Data: number[];
  int64Data: Int64[];
  doubleData: number[];
  name: string;
  rawData: Uint8Array;
  externalData: unknown[];
  dataLocation: number;
}
export interface Attribute {
  name: string;
  type: number;
  f: number;
  i: Int64;
  s: Uint8Array;
  t: Tensor | null;
  floats: number[];
  ints: Int64[];
}
export interface Node {
  input: string[];
  output: string[];
  name: string;
  opType: string;
  domain: string;
  attribute: Attribute[];
}
export interface Dimension {
  dimValue?: Int64;
  dimParam?: string;
  value?: 'dimValue' | 'dimParam';
}
export interface ValueInfo {
  name: string;
  type: { tensorType: { elemType: number; shape: { dim: Dimension[] } | null } | null } | null;
}
export interface Graph {
  node: Node[];
  name: string;
  initializer: Tensor[];
  input: ValueInfo[];
  output: ValueInfo[];
}
export interface Model {
  irVersion: Int64;
  opsetImport: { domain: string; version: Int64 }[];
  producerName: string;
  producerVersion: string;
  graph: Graph | null;
  metadataProps: { key: string; value: string }[];
}
