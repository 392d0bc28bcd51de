/**
 * The order convoy as Convoy users define it (defaults: unexpected events deferred). Its own module so
 * that `convoy serve` / `convoy worker` processes of the topology scenario can load it as a user's
 * module of definitions, while the in-process contenders import the same definition.
 */
import { defineConvoy } from '@convoy/core';
import { orderMachine } from './order-machine.ts';

export const orderConvoy = defineConvoy({ type: 'order', machine: orderMachine });
