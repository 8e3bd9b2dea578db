import t from 'tap'
import { canonicalId, hashKey, isUuid, systemRoleId, uuidV5 } from '../../src/store/ids.js'

t.test('uuidV5 matches the RFC 4122 test vector', async (t) => {
  t.equal(uuidV5('6ba7b810-9dad-11d1-80b4-00c04fd430c8', 'www.example.com'), '2ed6657d-e927-568b-95e1-2665a8aea6a2')
})

t.test('system role ids are derived from the organization id', async (t) => {
  const org = '248df4b7-aa70-47b8-a036-33ac447e668d'
  t.equal(systemRoleId(org, 'member'), uuidV5(org, 'Member'))
  t.equal(systemRoleId(org, 'admin'), uuidV5(org, 'Admin'))
  t.not(systemRoleId(org, 'admin'), systemRoleId(org, 'member'))
})

t.test('helpers', async (t) => {
  t.ok(isUuid('248DF4B7-aa70-47b8-a036-33ac447e668d'))
  t.notOk(isUuid('248df4b7aa7047b8a03633ac447e668d'))
  t.equal(canonicalId('ABC'), 'abc')
  t.equal(hashKey('abc'), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad')
})
